import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

let e2e: E2E
let attacker: Server
let attackerUrl: string

/** A page on another origin (same site: another port of 127.0.0.1, so the Lax session cookie is sent). */
function attackPage(target: string, to: string): string {
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${target}/api/ringline/calls" enctype="text/plain">
  <input name='{"to":"${to}","x":"' value='"}'>
</form>
<script>
  fetch(${JSON.stringify(`${target}/api/ringline/calls`)}, {
    method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ to: ${JSON.stringify(to)} }),
  }).finally(() => document.getElementById('f').submit())
</script></body></html>`
}

beforeAll(async () => {
  e2e = await startE2E({ port: 3106 })
  attacker = createServer((_request, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(attackPage(e2e.app.url, e2e.sandbox.phone.numbers.answer))
  })
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => attacker?.close(resolve))
  await e2e?.close()
})

describe('cross-site request forgery in Chromium', () => {
  it('refuses a form post and a text/plain fetch from another origin, and dials nothing', async () => {
    const since = Date.now()
    const { page } = await e2e.signIn('bob')
    await open(page, `${e2e.app.url}/phone`)
    const refused: number[] = []
    page.on('response', (response) => {
      if (response.url().endsWith('/api/ringline/calls') && response.request().method() === 'POST') {
        refused.push(response.status())
      }
    })
    await page.goto(attackerUrl)
    await expect.poll(() => refused.length, { timeout: 15_000 }).toBe(2)
    expect(refused).toEqual([403, 403])

    // Nothing was written and no phone rang.
    const res = await page.request.get(`${e2e.app.url}/api/ringline/calls?direction=outbound`)
    expect(((await res.json()) as { calls: unknown[] }).calls).toHaveLength(0)
    const seen = await e2e.sandbox.phone.received(e2e.sandbox.phone.numbers.answer, { since })
    expect(seen.invites).toBe(0)
  })
})
