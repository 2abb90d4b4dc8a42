// In-call controls of the active call: mute, hold with music, DTMF, transfer and agent dispatch. Each checks the
// call is live, applies the change optimistically where the UI should react at once, and rolls back on failure.
import type { CountryCode } from 'libphonenumber-js'
import type { ActiveCall } from './activeCall'
import type { ApiClient } from './apiClient'
import { DTMF_CODES, parseDtmfDigits } from './dtmf'
import { isPhoneNumberMetadataLoaded, loadPhoneNumberMetadata, normalizePhoneNumber } from './phoneNumber'
import type { DispatchAgentResponse } from './protocol'
import { dispatchAgentResponseGuard } from './protocol/guards'
import { RinglineError, toRinglineError } from './ringlineError'
import type { SoundManager } from './soundManager'
import type { CallClient, CallClientEvent } from './types'

const noop = () => {}

/** What the controls need besides the active call. */
export interface CallControlsDeps {
  api: ApiClient
  sounds: SoundManager | null
  defaultCountry: CountryCode | undefined
  emit(event: CallClientEvent): void
  error(error: RinglineError): void
}

/** The in-call methods of `CallClient`. */
export type CallControls = Pick<
  CallClient,
  'setMuted' | 'hold' | 'resume' | 'sendDtmf' | 'transfer' | 'inviteAgent'
>

/** Create the in-call controls over the client's active call. */
export function createCallControls(active: ActiveCall, deps: CallControlsDeps): CallControls {
  return {
    async setMuted(muted: boolean): Promise<void> {
      const { call, session } = active.requireLive()
      if (call.muted === muted) return
      active.dispatch(call.key, { type: 'patch', patch: { muted } })
      active.setSpeakingWhileMuted(call.key, false)
      if (session && !call.onHold) {
        try {
          await session.setMicrophoneEnabled(!muted)
        } catch (e) {
          active.dispatch(call.key, { type: 'patch', patch: { muted: !muted } })
          throw toRinglineError(e, 'CONNECTION_FAILED')
        }
        session.watchMutedSpeech?.(muted)
      }
      // LiveKit raises no webhook on a mute: tell the server for the call's record (its participants' `muted`).
      // Fire and forget: a failed report never fails or delays the mute; the state at leaving reaches the
      // record from LiveKit anyway. Only LiveKit calls have a participant in a room to report for.
      if (call.id && session && active.transport().name === 'livekit') {
        void deps.api.reportMute(call.id, muted).catch(noop)
      }
    },

    async hold(): Promise<void> {
      const { call, session } = active.requireLive()
      if (call.onHold) return
      if (!session || call.phase !== 'connected')
        throw new RinglineError('CALL_NOT_ACTIVE', 'Only a connected call can be put on hold.')
      active.setSpeakingWhileMuted(call.key, false)
      active.dispatch(call.key, { type: 'patch', patch: { onHold: true } })
      session.watchMutedSpeech?.(false)
      session.setRemoteAudioEnabled(false)
      const music = deps.sounds?.createHoldMusic()
      if (!music) {
        await session.setMicrophoneEnabled(false).catch(noop)
        return
      }
      try {
        // The music replaces the microphone on the same track, so the held side hears it and never the agent.
        const restore = await session.playInsteadOfMicrophone(music.track)
        const stop = async () => {
          music.stop()
          await restore().catch(noop)
        }
        const s = active.session
        if (s?.key === call.key) s.hold = { stop }
        else await stop()
      } catch (e) {
        music.stop()
        await session.setMicrophoneEnabled(false).catch(noop)
        deps.error(toRinglineError(e, 'CONNECTION_FAILED'))
      }
    },

    async resume(): Promise<void> {
      const { call, session } = active.requireLive()
      if (!call.onHold) return
      const s = active.session
      if (s?.key === call.key && s.hold) {
        const hold = s.hold
        s.hold = null
        await hold.stop()
      }
      session?.setRemoteAudioEnabled(true)
      if (session) await session.setMicrophoneEnabled(!call.muted)
      active.dispatch(call.key, { type: 'patch', patch: { onHold: false } })
      if (call.muted) session?.watchMutedSpeech?.(true)
    },

    async sendDtmf(digits: string): Promise<void> {
      const parsed = parseDtmfDigits(digits)
      const { call, session } = active.requireLive()
      if (!session || call.phase !== 'connected') {
        throw new RinglineError('CALL_NOT_ACTIVE', 'DTMF can only be sent on a connected call.')
      }
      deps.sounds?.playDtmf(parsed.join(''))
      for (const digit of parsed) {
        await session.publishDtmf(DTMF_CODES[digit], digit)
        const current = active.callOf(call.key)
        if (!current) return
        active.dispatch(call.key, {
          type: 'patch',
          patch: { dtmf: { sent: current.dtmf.sent + digit, received: current.dtmf.received } },
        })
        deps.emit({ type: 'dtmf', direction: 'sent', digit, callKey: call.key })
      }
    },

    async transfer(to: string): Promise<void> {
      const { call } = active.requireLive()
      if (call.direction === 'internal' || !call.id || call.phase !== 'connected') {
        throw new RinglineError('CALL_NOT_ACTIVE', 'Only a connected phone call can be transferred.')
      }
      if (!isPhoneNumberMetadataLoaded() && deps.defaultCountry && !to.trim().startsWith('+')) {
        await loadPhoneNumberMetadata().catch(() => {})
      }
      const target = /^(sip|tel):/i.test(to.trim())
        ? to.trim()
        : deps.defaultCountry || to.trim().startsWith('+')
          ? normalizePhoneNumber(to, deps.defaultCountry, { requireAssigned: false })
          : to.trim()
      active.dispatch(call.key, {
        type: 'patch',
        patch: { transfer: { to: target, status: 'pending', error: null } },
      })
      try {
        await deps.api.transferCall(call.id, target)
      } catch (e) {
        const error = toRinglineError(e, 'TRANSFER_FAILED')
        active.dispatch(call.key, {
          type: 'patch',
          patch: {
            transfer: { to: target, status: 'failed', error: { code: error.code, message: error.message } },
          },
        })
        throw error
      }
      active.dispatch(call.key, {
        type: 'patch',
        patch: { transfer: { to: target, status: 'completed', error: null } },
      })
      // The phone side now talks to the transfer target; our part of the call is over.
      active.dispatch(call.key, { type: 'end', reason: 'local-hangup' })
    },

    async inviteAgent(
      agentName: string,
      options: { metadata?: string } = {},
    ): Promise<DispatchAgentResponse> {
      const { call } = active.requireLive()
      if (!call.id)
        throw new RinglineError(
          'CALL_NOT_ACTIVE',
          'The call is not set up yet; invite the agent in a moment.',
        )
      try {
        const response = await deps.api.dispatchAgent(call.id, {
          agentName,
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        })
        const parsed = dispatchAgentResponseGuard.safeParse(response)
        if (!parsed.success) {
          throw new RinglineError(
            'UPSTREAM_ERROR',
            `POST /calls/:id/agent returned a body that does not match the protocol: ${parsed.error.issues[0]?.message}`,
          )
        }
        return parsed.data
      } catch (e) {
        throw toRinglineError(e, 'NETWORK_ERROR')
      }
    },
  }
}
