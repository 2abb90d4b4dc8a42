'use client'
import { useMemo } from 'react'
import { useRingline } from '../RinglineProvider'
import type { Call, CallPhaseName } from '../types'
import { type ClientHookOptions, useClientState } from './useClientState'

/** What {@link useActiveCall} returns: the call, its phase, and the actions that apply to it. */
export interface ActiveCallResult {
  /** The current call, or null. Ended and failed calls stay until the next one starts. */
  call: Call | null
  /** `idle` when there is no call, else the call's phase. */
  phase: CallPhaseName | 'idle'
  /** True while the call is not ended or failed. */
  isLive: boolean
  muted: boolean
  /** Muted, and the microphone hears speech: show the person they are not being heard. */
  speakingWhileMuted: boolean
  onHold: boolean
  hangup(): Promise<unknown>
  setMuted(muted: boolean): unknown
  toggleMute(): unknown
  hold(): unknown
  resume(): unknown
  toggleHold(): unknown
  sendDtmf(digits: string): unknown
  transfer(to: string): unknown
}

const selectCall = (state: { activeCall: Call | null }) => state.activeCall

/** The active call of the client and its controls. */
export function useActiveCall(options: ClientHookOptions = {}): ActiveCallResult {
  const client = useRingline(options.client)
  const call = useClientState(selectCall, client)
  return useMemo(() => {
    const muted = call?.muted ?? false
    const onHold = call?.onHold ?? false
    return {
      call,
      phase: call?.phase ?? 'idle',
      isLive: !!call && call.phase !== 'ended' && call.phase !== 'failed',
      muted,
      speakingWhileMuted: call?.speakingWhileMuted ?? false,
      onHold,
      hangup: () => client.hangup(call?.id ?? undefined),
      setMuted: (value: boolean) => client.setMuted(value),
      toggleMute: () => client.setMuted(!muted),
      hold: () => client.hold(),
      resume: () => client.resume(),
      toggleHold: () => (onHold ? client.resume() : client.hold()),
      sendDtmf: (digits: string) => client.sendDtmf(digits),
      transfer: (to: string) => client.transfer(to),
    }
  }, [call, client])
}
