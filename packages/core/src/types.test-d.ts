import { describe, expectTypeOf, it } from 'vitest'
import type { CallClient } from './callClient'
import type { Call, CallClientState, EndReason, IncomingCall } from './types'

describe('Call', () => {
  it('narrows phase-only fields on phase', () => {
    const call = {} as Call
    if (call.phase === 'ended') {
      expectTypeOf(call.endReason).toEqualTypeOf<EndReason>()
      expectTypeOf(call.connectedAt).toEqualTypeOf<number | null>()
    }
    if (call.phase === 'failed') expectTypeOf(call.error.code).toBeString()
    if (call.phase === 'connected') expectTypeOf(call.connectedAt).toEqualTypeOf<number>()
    // @ts-expect-error endReason exists only on ended calls
    call.endReason
    // @ts-expect-error connectedAt is not on every phase
    call.connectedAt
  })

  it('keeps the state shape the README documents', () => {
    expectTypeOf<keyof CallClientState>().toEqualTypeOf<
      'events' | 'activeCall' | 'incoming' | 'audio' | 'devices' | 'permission' | 'configured'
    >()
    expectTypeOf<CallClientState['events']>().toEqualTypeOf<'offline' | 'connecting' | 'online'>()
    expectTypeOf<CallClientState['permission']>().toEqualTypeOf<
      'unknown' | 'prompt' | 'granted' | 'denied' | 'blocked-by-policy' | 'no-device' | 'in-use'
    >()
    expectTypeOf<CallClientState['audio']>().toEqualTypeOf<{
      readiness: 'blocked' | 'ready'
      ringtone: boolean
    }>()
    expectTypeOf<EndReason>().toEqualTypeOf<
      | 'local-hangup'
      | 'remote-hangup'
      | 'busy'
      | 'no-answer'
      | 'declined'
      | 'canceled'
      | 'answered-elsewhere'
      | 'missed'
    >()
    const incoming = {} as IncomingCall
    if (incoming.phase === 'ended')
      expectTypeOf(incoming.endReason).toEqualTypeOf<'answered-elsewhere' | 'missed' | 'declined'>()
  })

  it('binds to useSyncExternalStore', () => {
    expectTypeOf<CallClient['subscribe']>().toEqualTypeOf<(listener: () => void) => () => void>()
    expectTypeOf<CallClient['getSnapshot']>().returns.toEqualTypeOf<CallClientState>()
    expectTypeOf<CallClient['dial']>().parameters.toEqualTypeOf<
      [to: string, options?: import('./callClient').DialOptions]
    >()
  })
})
