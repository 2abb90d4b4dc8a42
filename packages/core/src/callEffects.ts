// Sounds, desktop notifications and the title follow the client's state; only the leader tab rings and notifies.
// Effects read state and never write it, so applying them cannot re-enter the client.
import { isCallOver } from './callMachine'
import type { DesktopNotifier } from './desktopNotifier'
import type { SoundManager } from './soundManager'
import type { CallClientState, IncomingCall } from './types'

/** Where the client runs: effects only happen while someone subscribes, and ringing only in the leader tab. */
export interface CallEffectsContext {
  running: boolean
  leader: boolean
}

/** Ringing and for this user to answer: the ring of their own server-placed call (`serverDial`) is not. */
const answerable = (c: IncomingCall) => c.phase === 'ringing' && !c.serverDial

/** True when this tab should play the ringtone: a call rings, this tab leads, and no call is live. */
export function ringsHere(state: CallClientState, context: CallEffectsContext): boolean {
  const live = state.activeCall !== null && !isCallOver(state.activeCall)
  return context.running && context.leader && !live && state.incoming.some(answerable)
}

/** Options of `createCallEffects`. */
export interface CallEffectsOptions {
  sounds: SoundManager | null
  notifier: DesktopNotifier | null
  /** Notification title; default "Incoming call". */
  title?: string
  /** Title flashed while a call rings unseen; default "📞 Incoming call". */
  flashText?: string
}

/** The side effects of the client's state. */
export interface CallEffects {
  /** Bring sounds, notifications and the title in line with `state`. Idempotent. */
  apply(state: CallClientState, context: CallEffectsContext): void
}

/** Create the sound and notification effects of a call client. */
export function createCallEffects(options: CallEffectsOptions): CallEffects {
  const notified = new Set<string>()
  return {
    apply(state, context) {
      const { incoming, activeCall, audio } = state
      const ringing = context.running ? incoming.filter(answerable) : []
      const live = activeCall !== null && !isCallOver(activeCall)
      const leader = context.leader
      const sounds = options.sounds
      if (sounds) {
        const want = {
          ringtone: ringsHere(state, context),
          callWaiting: leader && ringing.length > 0 && live,
          ringback: live && activeCall.direction === 'outbound' && activeCall.phase === 'ringing',
        }
        for (const [name, on] of Object.entries(want) as Array<[keyof typeof want, boolean]>) {
          if (on && !sounds.isPlaying(name)) sounds.play(name)
          else if (!on && sounds.isPlaying(name)) sounds.stop(name)
        }
      }
      const notifier = options.notifier
      if (!notifier) return
      const ringingIds = new Set(ringing.map((c) => c.id))
      for (const id of notified) {
        if (!ringingIds.has(id) || !leader) {
          notifier.close(`ringline-${id}`)
          notified.delete(id)
        }
      }
      if (leader && notifier.isHidden()) {
        for (const c of ringing) {
          if (notified.has(c.id)) continue
          notified.add(c.id)
          notifier.show(`ringline-${c.id}`, options.title ?? 'Incoming call', c.from ?? 'Unknown caller')
        }
      }
      const flash = ringing.length > 0 && (audio.readiness === 'blocked' || notifier.isHidden())
      if (flash && !notifier.flashing) notifier.flashTitle(options.flashText ?? '📞 Incoming call')
      else if (!flash && notifier.flashing) notifier.stopFlashing()
    },
  }
}
