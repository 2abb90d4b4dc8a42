import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3220 })
})

afterAll(async () => {
  await e2e?.close()
})

const unique = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`

interface Detail {
  call: {
    id: string
    status: string
    answeredBy: string | null
    transfer?: { kind: string; to: string; by: string | null } | null
    consult?: unknown
  }
  participants: Array<{ identity: string; kind: string; leftAt: string | null }>
}

async function connectedCall(page: Page, number: string) {
  await open(page, `${e2e.app.url}/phone`)
  await page.getByLabel('Phone number').fill(number)
  await page.getByRole('button', { name: 'Call', exact: true }).click()
  await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
}

/** Alice on a call with the echo phone `number` consults Bob, who joins from his phone page. */
async function consultBob(number: string) {
  const { page: alice } = await e2e.signIn('alice')
  const { page: bob } = await e2e.signIn('bob')
  await open(bob, `${e2e.app.url}/phone`)
  await connectedCall(alice, number)
  await alice.getByRole('button', { name: 'Consult', exact: true }).click()
  await alice.getByLabel('Colleague to consult (user id)').fill('bob')
  await alice.getByRole('button', { name: 'Start consult' }).click()
  // The caller is held (hold music) while Alice waits for Bob.
  await expect
    .poll(() => alice.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed'), { timeout: 20_000 })
    .toBe('true')
  await bob.getByRole('button', { name: 'Join consult' }).click({ timeout: 30_000 })
  const status = alice.locator('.rl-consult-status')
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected')
  await bob.locator('.rl-consult-status[data-state="connected"]').waitFor({ timeout: 30_000 })
  const res = await alice.request.get(`${e2e.app.url}/api/ringline/calls?limit=10`)
  const { calls } = (await res.json()) as { calls: Array<{ id: string; toNumber: string }> }
  const id = calls.find((c) => c.toNumber === number)?.id
  if (!id) throw new Error(`no call to ${number} in Alice's history`)
  return { alice, bob, id }
}

async function detail(page: Page, id: string): Promise<Detail> {
  const res = await page.request.get(`${e2e.app.url}/api/ringline/calls/${id}`)
  return (await res.json()) as Detail
}

const present = (d: Detail, kind: string) =>
  d.participants.filter((p) => p.kind === kind && p.leftAt === null).map((p) => p.identity)

describeWithSip('warm transfer from CallControls: two agents in Chromium and the sandbox phone', () => {
  it('consult, complete: the phone is left with Bob (he hears it), Alice’s call ends as transferred, the record says so', async () => {
    // Every +1555017xxxx answers and echoes what it hears: Bob hears his own microphone back once he has the caller.
    const number = unique('+1555017')
    const { alice, bob, id } = await consultBob(number)

    await alice.getByRole('button', { name: 'Complete transfer' }).click()
    await bob.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await alice.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
    await expect(alice.locator('.rl-consult-status').textContent()).resolves.toBe('Transferred to bob')
    await expect(bob.locator('.rl-call-controls').textContent()).resolves.toContain('The call is yours now.')

    // In the caller's room: the phone and Bob; Alice has left.
    await expect
      .poll(async () => present(await detail(bob, id), 'user'), { timeout: 30_000 })
      .toEqual(['acme:bob'])
    const after = await detail(bob, id)
    expect(present(after, 'sip')).toHaveLength(1)
    expect(after.call).toMatchObject({
      status: 'in-progress',
      answeredBy: 'bob',
      transfer: { kind: 'warm', to: 'user:bob', by: 'alice' },
    })
    // The phone echoes Bob's microphone: audio goes both ways between Bob and the caller.
    await expect.poll(() => remoteAudioLevel(bob), { timeout: 20_000 }).toBeGreaterThan(0.01)
    // The phone is still on the call (it was handed over, never hung up).
    const atPhone = (await e2e.sandbox.phone.received(number)).calls[0]
    expect(atPhone).toMatchObject({ endedAt: null })

    await bob.getByRole('button', { name: 'Hang up' }).click()
    await bob.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
    await expect.poll(async () => (await detail(bob, id)).call.status, { timeout: 30_000 }).toBe('completed')
  })

  it('consult, cancel: Bob leaves, Alice is back with the caller (resumed, hears the phone again)', async () => {
    const number = unique('+1555017')
    const { alice, bob, id } = await consultBob(number)

    await alice.getByRole('button', { name: 'Cancel consult' }).click()
    await expect
      .poll(() => alice.locator('.rl-consult-status').getAttribute('data-end-reason'), { timeout: 20_000 })
      .toBe('canceled')
    await expect
      .poll(() => alice.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed'), {
        timeout: 20_000,
      })
      .toBe('false')
    await expect
      .poll(() => bob.locator('.rl-consult-status').getAttribute('data-end-reason'), { timeout: 20_000 })
      .toBe('canceled')
    expect(await alice.locator('.rl-call-controls').getAttribute('data-state')).toBe('connected')
    expect(await bob.getByTestId('no-active-call').count()).toBe(1)
    // The phone echoes Alice's microphone again: she hears it.
    await expect.poll(() => remoteAudioLevel(alice), { timeout: 20_000 }).toBeGreaterThan(0.01)
    const record = await detail(alice, id)
    expect(record.call.transfer ?? null).toBeNull()
    expect(record.call.consult ?? null).toBeNull()
    expect(present(record, 'user')).toEqual(['acme:alice'])

    await alice.getByRole('button', { name: 'Hang up' }).click()
    await alice.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
  })
})
