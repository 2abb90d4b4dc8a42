'use client'
import { useMemo } from 'react'
import { useRingline } from '../RinglineProvider'
import type { CallClientLike, CallClientState, IncomingCall } from '../types'
import { type ClientHookOptions, useClientState } from './useClientState'

/** What {@link useIncomingCalls} returns. */
export interface IncomingCallsResult {
  /** Every incoming call the client reports, including ones just answered elsewhere or missed. */
  calls: readonly IncomingCall[]
  /** Only the calls still ringing. */
  ringing: readonly IncomingCall[]
  /** `blocked` when the browser refused to autoplay the ringtone: call `startAudio()` from a click. */
  audioReadiness: 'blocked' | 'ready'
  /** True in the one tab of this browser that rings (the others show the call silently). */
  ringsHere: boolean
  answer(callId: string): Promise<unknown>
  decline(callId: string): Promise<unknown>
  startAudio(): unknown
  /** The client's desktop notifications, if it has them. */
  notifications: CallClientLike['notifications'] | undefined
}

const selectIncoming = (state: CallClientState) => state.incoming
const selectReadiness = (state: CallClientState) => state.audio.readiness
const selectRingsHere = (state: CallClientState) => state.audio.ringtone

/** Calls ringing for this user, with answer / decline. */
export function useIncomingCalls(options: ClientHookOptions = {}): IncomingCallsResult {
  const client = useRingline(options.client)
  const calls = useClientState(selectIncoming, client)
  const audioReadiness = useClientState(selectReadiness, client)
  const ringsHere = useClientState(selectRingsHere, client)
  return useMemo(
    () => ({
      calls,
      ringing: calls.filter((call) => call.phase === 'ringing'),
      audioReadiness,
      ringsHere,
      answer: (id: string) => client.answer(id),
      decline: (id: string) => client.decline(id),
      startAudio: () => client.startAudio?.(),
      notifications: client.notifications,
    }),
    [calls, audioReadiness, ringsHere, client],
  )
}
