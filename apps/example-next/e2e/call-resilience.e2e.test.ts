// A long call and a network blip, in Chromium on the sandbox: the browser reaches LiveKit through a local TCP proxy
// the test can cut, and the app mints LiveKit tokens that live 60 s. The call outlives its token by far, survives
// a cut of the browser's connection after the token expired (LiveKit's resume then needs the token LiveKit
// refreshed, not the expired one Ringline minted), and its audio and record carry on.
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'
import { startTcpProxy, type TcpProxy } from './tcpProxy'

const TOKEN_TTL_SECONDS = 60

let e2e: E2E
let proxy: TcpProxy

beforeAll(async () => {
  proxy = await startTcpProxy(inject('ringlineSandbox').livekit.wsUrl)
  e2e = await startE2E({
    port: 3230,
    env: { LIVEKIT_URL: proxy.url, RINGLINE_TOKEN_TTL: String(TOKEN_TTL_SECONDS) },
  })
}, 180_000)

afterAll(async () => {
  await e2e?.close()
  await proxy?.close()
})

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))

/** Records every `data-state` CallControls takes, with its time, in the page (short phases are not missed). */
async function recordStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __states: Array<{ at: number; state: string }> }
    w.__states = []
    const note = (el: Element) => {
      const state = el.getAttribute('data-state') ?? ''
      if (w.__states.at(-1)?.state !== state) w.__states.push({ at: Date.now(), state })
    }
    const current = document.querySelector('.rl-call-controls')
    if (current) note(current)
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.target instanceof Element && r.target.classList.contains('rl-call-controls')) note(r.target)
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-state'], subtree: true })
  })
}

const states = (page: Page) =>
  page.evaluate(() => (window as unknown as { __states: Array<{ at: number; state: string }> }).__states)

/** The expiry (ms) of the LiveKit token a signal URL carries (`access_token`, a JWT). */
function tokenExpiry(url: string): number {
  const token = new URL(url).searchParams.get('access_token') ?? ''
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    exp: number
  }
  return payload.exp * 1000
}

/** The call as the app's API records it (the caller's own history). */
async function record(page: Page, id: string) {
  const res = await page.request.get(`${e2e.app.url}/api/ringline/calls/${id}`)
  return ((await res.json()) as { call: Record<string, unknown> }).call
}

describeWithSip('a long call through a network blip (token TTL 60 s, proxy to LiveKit)', () => {
  it('outlives its token by 2×, survives a cut of the browser’s LiveKit connection after expiry, audio and record intact', {
    timeout: 360_000,
  }, async () => {
    const { page } = await e2e.signIn('bob')
    // Every LiveKit signal connection the page opens, with when: which token each one carries.
    const sockets: Array<{ at: number; url: string }> = []
    page.on('websocket', (ws) => sockets.push({ at: Date.now(), url: ws.url() }))
    await open(page, `${e2e.app.url}/phone`)
    await page.getByLabel('Phone number').fill(e2e.sandbox.phone.numbers.answer)
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/ringline/calls') && r.request().method() === 'POST',
    )
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    const body = (await (await created).json()) as {
      call: { id: string }
      connection: { expiresAt: string }
    }
    const callId = body.call.id
    // The token Ringline minted lives 60 s.
    const mintedExpiry = Date.parse(body.connection.expiresAt)
    expect(mintedExpiry - Date.now()).toBeLessThanOrEqual(TOKEN_TTL_SECONDS * 1000)
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 60_000 })
    const connectedAt = Date.now()
    await recordStates(page)
    // The phone echoes Bob's fake microphone: audio flows both ways.
    await expect.poll(() => remoteAudioLevel(page), { timeout: 20_000 }).toBeGreaterThan(0.01)
    expect(proxy.open()).toBeGreaterThan(0)

    // Past the token's lifetime: still connected, still audio.
    await sleepUntil(connectedAt + (TOKEN_TTL_SECONDS + 10) * 1000)
    expect(await remoteAudioLevel(page)).toBeGreaterThan(0.01)
    expect(await states(page)).toEqual([expect.objectContaining({ state: 'connected' })])

    // The blip: every connection of the browser to LiveKit is cut and refused for 3 s.
    const cutAt = Date.now()
    await proxy.blip(3_000)
    await expect
      .poll(async () => (await states(page)).map((s) => s.state), { timeout: 60_000 })
      .toEqual(['connected', 'reconnecting', 'connected'])
    const seen = await states(page)
    expect(seen[1]!.at).toBeGreaterThanOrEqual(cutAt - 1_000)
    // Back through the proxy, and the audio resumes. Every reconnect carried the token LiveKit refreshed (its
    // expiry past the minted one's), not the expired one Ringline minted.
    expect(proxy.open()).toBeGreaterThan(0)
    const reconnects = sockets.filter((s) => s.at >= cutAt && s.url.includes('/rtc'))
    expect(reconnects.length).toBeGreaterThan(0)
    for (const { url } of reconnects) {
      expect(tokenExpiry(url)).toBeGreaterThan(mintedExpiry + 60_000)
    }
    await expect.poll(() => remoteAudioLevel(page), { timeout: 30_000 }).toBeGreaterThan(0.01)

    // More than twice the token's lifetime: still the one call, connected, with audio.
    await sleepUntil(connectedAt + (2 * TOKEN_TTL_SECONDS + 10) * 1000)
    expect(await remoteAudioLevel(page)).toBeGreaterThan(0.01)
    expect((await states(page)).map((s) => s.state)).toEqual(['connected', 'reconnecting', 'connected'])
    // The record did not notice: in progress, not ended.
    expect(await record(page, callId)).toMatchObject({ status: 'in-progress', endedAt: null })

    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
    await expect.poll(async () => (await record(page, callId)).status, { timeout: 20_000 }).toBe('completed')
    const done = await record(page, callId)
    expect(done.endReason).toBe('completed')
    expect(done.durationSeconds as number).toBeGreaterThanOrEqual(2 * TOKEN_TTL_SECONDS)
  })
})
