// client.consult loads its controller on first use: these tests hold the load back to see the window before it lands.
import { afterEach, describe, expect, it } from 'vitest'
import { setup } from '../test/callClientHarness'
import { type ConsultEvent, consultModule } from './consult'
import { makeEvent, makeRecord, settle } from './testing/fakeServer'

/** Hold the controller's load until `release()`; the next client's first consult need waits for it. */
async function holdLoad() {
  const module = await import('./consultController')
  let release = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  consultModule.provide(gate.then(() => module))
  return release
}

afterEach(() => consultModule.provide(null))

const offer = (id: string) =>
  makeRecord({
    id,
    status: 'in-progress',
    roomName: `out-t1_${id}`,
    createdBy: 'alice',
    consult: { userId: 'u1', by: 'alice', state: 'ringing', startedAt: '2026-01-01T00:00:10.000Z' },
  })

describe('client.consult before its controller loaded', () => {
  it('keeps the server events about consults that arrive while it loads, and replays them in order', async () => {
    const release = await holdLoad()
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    const events: ConsultEvent[] = []
    t.client.consult.on((e) => events.push(e))
    const idle = t.client.consult.getSnapshot()
    expect(idle).toEqual({ consult: null, offers: [] })
    t.server.push(makeEvent('call.updated', offer('call_7')))
    await settle()
    t.server.push(makeEvent('call.updated', offer('call_8')))
    t.server.push(makeEvent('call.updated', { ...offer('call_7'), consult: null }))
    await settle()
    // Still loading: nothing applied yet, nothing dropped either.
    expect(t.client.consult.getSnapshot()).toBe(idle)
    expect(events).toEqual([])
    release()
    await settle()
    expect(
      events.map((e) => [e.type, 'offer' in e ? e.offer.callId : 'callId' in e ? e.callId : null]),
    ).toEqual([
      ['consult-offered', 'call_7'],
      ['consult-offered', 'call_8'],
      ['consult-offer-withdrawn', 'call_7'],
    ])
    expect(t.client.consult.getSnapshot().offers.map((o) => o.callId)).toEqual(['call_8'])
  })

  it('starts idle and synchronous; an action waits for the load, and the snapshot is the same object after it', async () => {
    const release = await holdLoad()
    const t = setup()
    const idle = t.client.consult.getSnapshot()
    expect(idle).toEqual({ consult: null, offers: [] })
    const notified: number[] = []
    t.client.consult.subscribe(() => notified.push(1))
    // Nothing open, nothing loaded: dismiss and cancel have nothing to do.
    t.client.consult.dismiss()
    await t.client.consult.cancel()
    const refused = t.client.consult.start('  ').catch((e) => e)
    await settle()
    expect(t.client.consult.getSnapshot()).toBe(idle)
    release()
    expect((await refused).code).toBe('INVALID_REQUEST')
    expect(t.client.consult.getSnapshot()).toBe(idle)
    expect(notified).toEqual([])
    // Loaded: the next action runs at once (no consult open, so the hand-over is refused synchronously-settled).
    expect((await t.client.consult.complete().catch((e) => e)).code).toBe('CALL_NOT_ACTIVE')
  })

  it('a decline before the load reaches the server once the controller is there', async () => {
    const release = await holdLoad()
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    t.server.on('POST /calls/call_7/consult/cancel', () => ({ body: { call: offer('call_7') } }))
    const declined = t.client.consult.decline('call_7')
    await settle()
    expect(t.server.calls('POST /calls/call_7/consult/cancel')).toHaveLength(0)
    release()
    await declined
    expect(t.server.calls('POST /calls/call_7/consult/cancel')).toHaveLength(1)
  })
})
