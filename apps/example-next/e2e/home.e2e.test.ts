import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3101 })
})

afterAll(async () => {
  await e2e?.close()
})

describe('example app', () => {
  it('asks an anonymous visitor to pick a demo user', async () => {
    const context = await e2e.browser.newContext()
    const page = await context.newPage()
    await page.goto(e2e.app.url)
    await expect(
      page.getByRole('heading', { name: 'Sign in to the Ringline demo' }).isVisible(),
    ).resolves.toBe(true)
    await expect(page.locator('[data-user]').count()).resolves.toBe(4)
    await context.close()
  })

  it('signs in and shows the phone with the user and tenant', async () => {
    const { page } = await e2e.signIn('bob')
    await page.goto(`${e2e.app.url}/phone`)
    await expect(page.getByTestId('signed-in-user').textContent()).resolves.toContain(
      'Bob Agent · Acme Plumbing',
    )
  })

  it('refuses the Ringline API to a visitor without a session', async () => {
    const res = await fetch(`${e2e.app.url}/api/ringline/calls`)
    expect(res.status).toBe(401)
    const body = (await res.json()) as { error: { code: string } }
    expect(body.error.code).toBe('UNAUTHENTICATED')
  })

  it('has no simulated Twilio Voice routes without RINGLINE_TWILIO_SIMULATOR=1', async () => {
    const { context } = await e2e.signIn('bob')
    const res = await context.request.post(`${e2e.app.url}/api/demo/twilio-voice/connect`, {
      data: { params: { To: '+15550009099' } },
    })
    expect(res.status()).toBe(404)
  })
})
