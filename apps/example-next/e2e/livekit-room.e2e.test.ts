// LiveKit components interop: a page that joined a room of the app's own with @livekit/components-react's
// `<LiveKitRoom>` (its token from the app's endpoint, not Ringline's) hands the room to Ringline with
// `<RinglineRoom>`; Ringline's Dialer places the sandbox phone into that room and CallControls hang it up, while
// the app's room stays connected.
import { audioLevel } from '@ringline/sandbox'
import { describeWithSip } from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

let e2e: E2E
let unforward: (() => Promise<void>) | undefined

beforeAll(async () => {
  e2e = await startE2E({ port: 3240 })
  // The harness relays the webhooks of Ringline's own rooms; the app's rooms are `lk-<tenant>.<name>`.
  unforward = await e2e.sandbox.webhooks.forward(`${e2e.app.url}/api/ringline/webhooks/livekit`, {
    roomPrefix: 'lk-',
  })
})

afterAll(async () => {
  await unforward?.()
  await e2e?.close()
})

// biome-ignore lint/suspicious/noExplicitAny: response JSON, asserted field by field
type Json = any

describeWithSip('Ringline inside a <LiveKitRoom> (@livekit/components-react) in Chromium', () => {
  it('dials the sandbox phone into the app’s own room and hangs it up with CallControls; the room stays', async () => {
    const number = e2e.sandbox.phone.numbers.answer
    const since = Date.now()
    const { page } = await e2e.signIn('bob')
    await open(page, `${e2e.app.url}/livekit-room`)
    const room = page.getByTestId('livekit-room')
    await page.locator('[data-testid="livekit-room"][data-state="connected"]').waitFor({ timeout: 30_000 })
    await room.locator('li[data-identity="app-bob"]').waitFor({ timeout: 30_000 })
    await expect(room.getByRole('heading').textContent()).resolves.toBe('lk-acme.support')

    await page.getByLabel('Phone number').fill(number)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 45_000 })

    // The phone answered; its participant is in the app's room, as components-react's own hooks list it.
    await e2e.sandbox.phone.waitFor(number, (s) => s.calls.some((c) => c.answeredAt !== null), {
      since,
      timeoutMs: 30_000,
    })
    await room.locator('li[data-identity^="phone-"]').waitFor({ timeout: 20_000 })
    // The record: an outbound call whose room is the app's room, in progress.
    const latest = async (): Promise<Json> => {
      const res = await page.request.get(`${e2e.app.url}/api/ringline/calls?limit=5`)
      return ((await res.json()) as Json).calls.find((c: Json) => c.toNumber === number)
    }
    await expect.poll(async () => (await latest())?.status, { timeout: 30_000 }).toBe('in-progress')
    const live = await latest()
    expect(live).toMatchObject({ direction: 'outbound', roomName: 'lk-acme.support', createdBy: 'bob' })

    // The microphone <LiveKitRoom> published reaches the phone (the sandbox phone records what it hears).
    await new Promise((r) => setTimeout(r, 3_000))
    const heard = (await e2e.sandbox.phone.received(number, { since })).calls
    const audio = heard[heard.length - 1]!.audio
    expect(audioLevel(audio, Date.now() - 2_500, Date.now())).toBeGreaterThan(0.003)

    // CallControls hang up: the phone gets a BYE, the record completes, and only the phone left the room.
    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
    await e2e.sandbox.phone.waitFor(number, (s) => s.calls.some((c) => c.endedBy === 'remote'), {
      since,
      timeoutMs: 30_000,
    })
    await expect.poll(async () => (await latest())?.status, { timeout: 30_000 }).toBe('completed')
    await room.locator('li[data-identity^="phone-"]').waitFor({ state: 'detached', timeout: 20_000 })
    await expect(room.getAttribute('data-state')).resolves.toBe('connected')
    await expect(room.locator('li[data-identity="app-bob"]').count()).resolves.toBe(1)
  })
})
