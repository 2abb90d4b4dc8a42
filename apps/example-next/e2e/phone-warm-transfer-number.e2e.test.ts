import { audioLevel } from '@ringline/sandbox'
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3320 })
})

afterAll(async () => {
  await e2e?.close()
})

const unique = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`

interface Detail {
  call: {
    id: string
    status: string
    transfer?: { kind: string; to: string; by: string | null } | null
    consult?: { to?: string; state: string } | null
  }
  participants: Array<{ identity: string; kind: string; leftAt: string | null }>
}

async function detail(page: Page, id: string): Promise<Detail> {
  const res = await page.request.get(`${e2e.app.url}/api/ringline/calls/${id}`)
  return (await res.json()) as Detail
}

const present = (d: Detail, kind: string) =>
  d.participants.filter((p) => p.kind === kind && p.leftAt === null).map((p) => p.identity)

/** Alice on a call with the echo phone `number` consults the phone number `target` from CallControls. */
async function consultNumber(number: string, target: string) {
  const { page: alice } = await e2e.signIn('alice')
  await open(alice, `${e2e.app.url}/phone`)
  await alice.getByLabel('Phone number').fill(number)
  await alice.getByRole('button', { name: 'Call', exact: true }).click()
  await alice.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
  await alice.getByRole('button', { name: 'Consult', exact: true }).click()
  await alice.getByRole('radio', { name: 'Number', exact: true }).check()
  await alice.getByLabel('Number to consult').fill(target)
  await alice.getByRole('button', { name: 'Start consult' }).click()
  // The caller is held (hold music) while the number rings.
  await expect
    .poll(() => alice.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed'), { timeout: 20_000 })
    .toBe('true')
  const res = await alice.request.get(`${e2e.app.url}/api/ringline/calls?limit=10`)
  const { calls } = (await res.json()) as { calls: Array<{ id: string; toNumber: string }> }
  const id = calls.find((c) => c.toNumber === number)?.id
  if (!id) throw new Error(`no call to ${number} in Alice's history`)
  return { alice, id }
}

describeWithSip('warm transfer to a phone number from CallControls: Chromium and two sandbox phones', () => {
  it('consult a number, complete: the caller is left with the consulted phone, Alice’s call ends, the record says so', async () => {
    // Every +1555017xxxx answers and echoes what it hears.
    const number = unique('+1555017')
    const target = unique('+1555017')
    const { alice, id } = await consultNumber(number, target)
    const status = alice.locator('.rl-consult-status')
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected')
    await expect(status.textContent()).resolves.toContain(`Talking to ${target}`)
    // Alice hears the consulted phone (it echoes her consult voice); the caller hears the hold music.
    await expect.poll(() => remoteAudioLevel(alice), { timeout: 20_000 }).toBeGreaterThan(0.01)
    const since = Date.now()
    await new Promise((r) => setTimeout(r, 2_000))
    const caller = (await e2e.sandbox.phone.received(number)).calls.at(-1)!
    expect(audioLevel(caller.audio, since, Date.now())).toBeGreaterThan(0.01)

    await alice.getByRole('button', { name: 'Complete transfer' }).click()
    await alice.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
    await expect(status.textContent()).resolves.toBe(`Transferred to ${target}`)

    // In the caller's room: the two phones; Alice has left.
    await expect.poll(async () => present(await detail(alice, id), 'user'), { timeout: 30_000 }).toEqual([])
    const after = await detail(alice, id)
    expect(present(after, 'sip').sort()).toEqual([`consult-phone-${id}`, `phone-${id}`].sort())
    expect(after.call).toMatchObject({
      status: 'in-progress',
      transfer: { kind: 'warm', to: `tel:${target}`, by: 'alice' },
    })
    expect(after.call.consult ?? null).toBeNull()
    // Both phones are still on the line; hanging the call up ends both.
    expect((await e2e.sandbox.phone.received(target)).calls.at(-1)).toMatchObject({ endedAt: null })
    const hung = await alice.request.post(`${e2e.app.url}/api/ringline/calls/${id}/hangup`, {
      headers: { origin: e2e.app.url, 'content-type': 'application/json' },
      data: {},
    })
    expect(hung.status(), await hung.text()).toBe(200)
    await expect
      .poll(async () => (await detail(alice, id)).call.status, { timeout: 30_000 })
      .toBe('completed')
  })

  it('consult a number, cancel: the phone is hung up, Alice is back with the caller', async () => {
    const number = unique('+1555017')
    const target = unique('+1555017')
    const { alice, id } = await consultNumber(number, target)
    const status = alice.locator('.rl-consult-status')
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected')
    await alice.getByRole('button', { name: 'Cancel consult' }).click()
    await expect.poll(() => status.getAttribute('data-end-reason'), { timeout: 20_000 }).toBe('canceled')
    await expect
      .poll(async () => (await e2e.sandbox.phone.received(target)).calls.at(-1)?.endedAt ?? null, {
        timeout: 20_000,
      })
      .not.toBeNull()
    await expect
      .poll(() => alice.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed'), {
        timeout: 20_000,
      })
      .toBe('false')
    expect(await alice.locator('.rl-call-controls').getAttribute('data-state')).toBe('connected')
    const record = await detail(alice, id)
    expect(record.call).toMatchObject({ status: 'in-progress', endedAt: null })
    expect(record.call.consult ?? null).toBeNull()
    await alice.getByRole('button', { name: 'Hang up' }).click()
    await alice.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
  })

  it('the consulted number hangs up: Alice sees it, cancels, and is back with the caller', async () => {
    const number = unique('+1555017')
    // The sandbox's numbers.hangup answers after one ring and hangs up 3 s later.
    const target = e2e.sandbox.phone.numbers.hangup
    const { alice, id } = await consultNumber(number, target)
    const status = alice.locator('.rl-consult-status')
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('left')
    await expect(status.textContent()).resolves.toContain(`${target} hung up.`)
    expect(await alice.getByRole('button', { name: 'Complete transfer' }).isDisabled()).toBe(true)

    await alice.getByRole('button', { name: 'Cancel consult' }).click()
    await expect.poll(() => status.getAttribute('data-end-reason'), { timeout: 20_000 }).toBe('canceled')
    await expect
      .poll(() => alice.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed'), {
        timeout: 20_000,
      })
      .toBe('false')
    expect(await alice.locator('.rl-call-controls').getAttribute('data-state')).toBe('connected')
    // The caller's phone echoes Alice's microphone again: she hears it.
    await expect.poll(() => remoteAudioLevel(alice), { timeout: 20_000 }).toBeGreaterThan(0.01)
    const record = await detail(alice, id)
    expect(record.call.transfer ?? null).toBeNull()
    expect(record.call.consult ?? null).toBeNull()
    expect(record.call.status).toBe('in-progress')

    await alice.getByRole('button', { name: 'Hang up' }).click()
    await alice.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
  })
})
