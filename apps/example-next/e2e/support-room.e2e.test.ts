// The example app's `support` room kind in Chromium: Team room → "Start support room" joins a room of that kind,
// the server dispatches its agent once (no agent worker runs here, so the job stays unclaimed and the room works
// as usual), and History's kind filter lists the room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3260 })
})

afterAll(async () => {
  await e2e?.close()
})

describe('support room in Chromium', () => {
  it('starts a support room from the Team page, dispatches its agent once, and History filters by its kind', async () => {
    const { page } = await e2e.signIn('alice')
    await open(page, `${e2e.app.url}/team`)
    await page.getByRole('link', { name: 'Start support room' }).click()
    await page.waitForURL(/\/team\?kind=support$/)
    await page.locator('header[data-hydrated]').waitFor({ timeout: 30_000 })
    const room = `support-${Date.now().toString(36)}`
    await page.getByLabel('Room name').fill(room)
    await page.getByRole('button', { name: 'Join room' }).click()
    await page.getByText('Connected').first().waitFor({ timeout: 30_000 })

    // The record carries the kind and one dispatch of the configured agent, although nobody claimed it.
    const api = async (path: string) =>
      page.evaluate(async (p) => (await fetch(`/api/ringline${p}`)).json(), path)
    const listed = (await api('/calls?roomKind=support')) as {
      calls: Array<{ id: string; roomName: string; roomKind?: string }>
    }
    const call = listed.calls.find((c) => c.roomName.endsWith(`-${room}`))
    expect(call?.roomKind).toBe('support')
    const detail = (await api(`/calls/${call?.id}`)) as { agents?: Array<{ agentName: string }> }
    expect(detail.agents?.map((a) => a.agentName)).toEqual(['support-agent'])
    const other = (await api('/calls?roomKind=sales')) as { calls: unknown[] }
    expect(other.calls).toEqual([])

    await open(page, `${e2e.app.url}/history`)
    await page.getByLabel('Room kind').selectOption('support')
    const rows = page.locator('.rl-history-row')
    await rows.first().waitFor({ timeout: 30_000 })
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-direction'))))
      .toEqual(expect.arrayContaining(['internal']))
    const directions = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-direction')))
    expect(directions.every((d) => d === 'internal')).toBe(true)
  })
})
