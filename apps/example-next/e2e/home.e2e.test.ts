import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningApp, startApp } from './app'
import { launchBrowser, type TestBrowser } from './browser'

let app: RunningApp
let browser: TestBrowser

beforeAll(async () => {
  app = await startApp({ port: 3101 })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('example app', () => {
  it('serves a page built from the workspace packages in Chromium', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(app.url)
    await expect(page.getByTestId('version').textContent()).resolves.toMatch(/@ringline\/react \d+\.\d+\.\d+/)
    await context.close()
  })
})
