import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeCall, insertCall } from '../src/calls/callRepository'
import type { StoredCall } from '../src/calls/callRow'
import { waitForCaller } from '../src/calls/waitForCaller'
import type { RinglineContext } from '../src/context'
import { memoryStore } from '../src/sql/memoryStore'
import type { RinglineStore } from '../src/sql/types'
import { captureLogger } from './helpers'

const notFound = Object.assign(new Error('requested room does not exist'), { status: 404 })

/** A context whose LiveKit answers `listParticipants` from a script, one answer per poll. */
function contextWith(store: RinglineStore, seconds: number, answers: Array<string[] | Error>) {
  const asked: string[] = []
  const ctx = {
    config: { sip: { waitForCallerSeconds: seconds } },
    store,
    logger: captureLogger(),
    livekit: () => ({
      room: {
        async listParticipants(room: string) {
          asked.push(room)
          const next = answers.length > 1 ? answers.shift() : answers[0]
          if (next instanceof Error) throw next
          return (next ?? []).map((identity) => ({ identity }))
        },
      },
    }),
  } as unknown as RinglineContext
  return { ctx, asked }
}

describe('waitForCaller: the phone is dialled only once someone can hear it', () => {
  const store = memoryStore()
  let n = 0
  const newCall = async (): Promise<StoredCall> => {
    const id = `wait-${++n}`
    const call = await insertCall(store, {
      id,
      tenantId: 'acme',
      direction: 'outbound',
      status: 'initiated',
      roomName: `out-acme_${id}`,
      createdBy: 'alice',
    })
    if (!call) throw new Error('not inserted')
    return call
  }
  const fast = { pollMs: 1 }
  beforeAll(() => store.migrate())
  afterAll(() => store.close())

  it('waits through a room that does not exist yet and one without the caller, until the caller joins', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 5, [notFound, ['phone-x'], ['acme:bob'], ['acme:alice']])
    await expect(waitForCaller(ctx, call, 'acme:alice', fast)).resolves.toBe('joined')
    expect(asked).toEqual(Array(4).fill(call.roomName))
  })

  it('gives up after waitForCallerSeconds and lets the dial go ahead', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 0.05, [[]])
    await expect(waitForCaller(ctx, call, 'acme:alice', { pollMs: 5 })).resolves.toBe('timeout')
    expect(asked.length).toBeGreaterThan(1)
  })

  it('stops when the call is hung up meanwhile, so nothing is dialled', async () => {
    const call = await newCall()
    const { ctx } = contextWith(store, 5, [notFound])
    const waiting = waitForCaller(ctx, call, 'acme:alice', { pollMs: 20 })
    await closeCall(store, call.id, { status: 'canceled', endReason: 'canceled' })
    await expect(waiting).resolves.toBe('ended')
  })

  it('does not wait when LiveKit cannot be asked (the dial reports the real error)', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 5, [
      Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ])
    await expect(waitForCaller(ctx, call, 'acme:alice', fast)).resolves.toBe('unknown')
    expect(asked).toHaveLength(1)
  })

  it('dials at once when the wait is off (0 s)', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 0, [notFound])
    await expect(waitForCaller(ctx, call, 'acme:alice', fast)).resolves.toBe('joined')
    expect(asked).toEqual([])
  })
})
