'use client'
import type { CallRecord } from '@ringline/core/protocol'
import { useEffect, useRef, useState } from 'react'
import { useOptionalRingline } from '../RinglineProvider'
import type { CallClientLike } from '../types'

/** A test call seen on the `/events` stream: the call and when it was seen. */
export interface SeenTestCall {
  callId: string
  /** The connected number the call was to (inbound) or from (outbound). */
  number: string
  /** The other party: the caller of an inbound call, the callee of an outbound one. */
  party: string | null
  at: string
}

/** Test calls seen since mount for the connected numbers: an inbound call to one, an outbound call from one. */
export interface TestCallsSeen {
  inbound: SeenTestCall | null
  outbound: SeenTestCall | null
}

const seen = (call: CallRecord, number: string, party: string | null, at: string): SeenTestCall => ({
  callId: call.id,
  number,
  party,
  at,
})

/**
 * Watches the client's `/events` stream (its `server-event`s) for a call to (inbound) or from (outbound, once
 * answered) one of `numbers`, so the settings checklist ticks itself when the test call happens. `onInbound` is
 * called once per inbound call seen to one of `numbers` (not only the first).
 */
export function useTestCallsSeen(
  client: CallClientLike | undefined,
  numbers: readonly string[],
  onInbound?: (call: SeenTestCall) => void,
): TestCallsSeen {
  const ringline = useOptionalRingline(client)
  const [state, setState] = useState<TestCallsSeen>({ inbound: null, outbound: null })
  const onInboundRef = useRef(onInbound)
  onInboundRef.current = onInbound
  const key = [...numbers].sort().join(',')
  useEffect(() => {
    if (!ringline?.on || !key) return
    const mine = new Set(key.split(','))
    const inboundSeen = new Set<string>()
    const off = ringline.on((event) => {
      if (event.type !== 'server-event') return
      const e = event.event
      if (e.type !== 'call.incoming' && e.type !== 'call.updated' && e.type !== 'call.ended') return
      const call = e.call
      if (call.direction === 'inbound' && call.toNumber && mine.has(call.toNumber)) {
        const test = seen(call, call.toNumber, call.fromNumber, e.at)
        setState((s) => (s.inbound ? s : { ...s, inbound: test }))
        if (!inboundSeen.has(call.id)) {
          inboundSeen.add(call.id)
          onInboundRef.current?.(test)
        }
      } else if (
        call.direction === 'outbound' &&
        call.fromNumber &&
        mine.has(call.fromNumber) &&
        call.answeredAt !== null
      ) {
        setState((s) =>
          s.outbound ? s : { ...s, outbound: seen(call, call.fromNumber as string, call.toNumber, e.at) },
        )
      }
    })
    // A client runs its `/events` stream while someone subscribes: the settings page alone must subscribe too.
    const unsubscribe = ringline.subscribe(() => {})
    return () => {
      off()
      unsubscribe()
    }
  }, [ringline, key])
  return state
}
