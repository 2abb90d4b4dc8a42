import { audioLevel } from '@ringline/sandbox'
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3103 })
})

afterAll(async () => {
  await e2e?.close()
})

/** The phase text CallControls shows. */
const phase = (page: Page) => page.locator('.rl-call-controls .rl-call-phase')

async function dial(page: Page, number: string) {
  await open(page, `${e2e.app.url}/phone`)
  await page.getByLabel('Phone number').fill(number)
  await page.getByRole('button', { name: 'Call', exact: true }).click()
}

describeWithSip('outbound phone calls from the Dialer in Chromium', () => {
  it('rings, connects, carries audio and DTMF both ways, and hangs up as completed', async () => {
    const { answer } = e2e.sandbox.phone.numbers
    const since = Date.now()
    const { page } = await e2e.signIn('bob')
    await dial(page, answer)

    // Ringing then connected, from the SIP participant's sip.callStatus.
    await page.locator('.rl-call-controls[data-state="ringing"]').waitFor({ timeout: 30_000 })
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await expect(phase(page).textContent()).resolves.toBe('Connected')

    // The phone echoes our fake microphone back: audio flows both ways.
    await expect.poll(() => remoteAudioLevel(page), { timeout: 20_000 }).toBeGreaterThan(0.01)

    // DTMF from the keypad reaches the phone.
    await page.getByRole('button', { name: 'Keypad' }).click()
    for (const key of ['1', '2', '3', '#']) {
      await page.locator(`.rl-call-keypad [data-key="${key}"]`).click()
    }
    const received = await e2e.sandbox.phone.waitFor(answer, (s) => s.dtmf.includes('123#'), {
      since,
      timeoutMs: 20_000,
    })
    expect(received.dtmf).toContain('123#')

    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
    await expect(phase(page).textContent()).resolves.toBe('Call ended')

    // History records it as completed, with a duration.
    const res = await page.request.get(`${e2e.app.url}/api/ringline/calls?limit=5`)
    const { calls } = (await res.json()) as {
      calls: Array<{ toNumber: string; status: string; durationSeconds: number | null }>
    }
    await expect
      .poll(
        async () => {
          const r = await page.request.get(`${e2e.app.url}/api/ringline/calls?limit=5`)
          const body = (await r.json()) as typeof calls extends infer T ? { calls: T } : never
          return body.calls.find((c) => c.toNumber === answer)?.status
        },
        { timeout: 30_000 },
      )
      .toBe('completed')
    const latest = (
      (await (await page.request.get(`${e2e.app.url}/api/ringline/calls?limit=5`)).json()) as {
        calls: typeof calls
      }
    ).calls.find((c) => c.toNumber === answer)
    expect(latest?.durationSeconds).toBeGreaterThanOrEqual(1)
  })

  it('shows the digits the phone sends', async () => {
    const { dtmf } = e2e.sandbox.phone.numbers
    const { page } = await e2e.signIn('alice')
    await dial(page, dtmf)
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await expect
      .poll(() => page.getByLabel('Tones received').textContent(), { timeout: 30_000 })
      .toContain('1234#')
    await page.getByRole('button', { name: 'Hang up' }).click()
  })

  it('hold plays music to the phone and mute sends it silence (the agent told when speaking muted), measured at the phone; resume restores both', async () => {
    const { answer } = e2e.sandbox.phone.numbers
    const since = Date.now()
    const { page } = await e2e.signIn('alice')
    await dial(page, answer)
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
    /** What the phone heard of this call over the last `ms`, after letting `settle` ms of change pass. */
    const heard = async (settle: number, ms: number) => {
      await pause(settle)
      const from = Date.now()
      await pause(ms)
      const to = Date.now()
      const calls = (await e2e.sandbox.phone.received(answer, { since })).calls
      return audioLevel(calls[calls.length - 1]!.audio, from, to)
    }
    const mute = page.getByRole('button', { name: 'Mute' })
    const hold = page.getByRole('button', { name: 'Hold' })

    // Talking: Chromium's fake microphone reaches the phone.
    expect(await heard(1000, 3000)).toBeGreaterThan(0.003)
    // Muted: the phone hears silence.
    await mute.click()
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true')
    expect(await heard(1000, 2500)).toBeLessThan(0.001)
    // The microphone still hears the (fake) speaker: the agent is told, and the phone still hears nothing.
    const notice = page.locator('.rl-call-controls .rl-muted-speech')
    await expect
      .poll(() => notice.textContent(), { timeout: 10_000 })
      .toBe('You are muted. Unmute to be heard.')
    expect(await heard(0, 2000)).toBeLessThan(0.001)
    // On hold (still muted): the phone hears the hold music, on the microphone's own publication.
    await hold.click()
    await expect.poll(() => hold.getAttribute('aria-pressed')).toBe('true')
    expect(await heard(1000, 2500)).toBeGreaterThan(0.01)
    await expect(page.locator('.rl-call-controls').getAttribute('data-state')).resolves.toBe('connected')
    // Resumed while muted: silence again; unmuted: the microphone again.
    await hold.click()
    await expect.poll(() => hold.getAttribute('aria-pressed')).toBe('false')
    expect(await heard(1000, 2500)).toBeLessThan(0.001)
    await mute.click()
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('false')
    await expect.poll(() => notice.textContent()).toBe('')
    expect(await heard(1000, 3000)).toBeGreaterThan(0.003)
    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
  })

  it('shows a busy line as busy', async () => {
    const { busy } = e2e.sandbox.phone.numbers
    const { page } = await e2e.signIn('bob')
    await dial(page, busy)
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
    await expect(phase(page).textContent()).resolves.toBe('Line busy')
  })
})
