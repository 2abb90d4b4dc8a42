import type { LocalParticipantLike, ParticipantLike, RoomLike } from './livekitTransport'
import type { TranscriptSpeaker } from './protocol'
import type { ParticipantKind, ParticipantState, SipCallStatus } from './types'

/** LiveKit participants read as `ParticipantState`s, each the same object until something about it changed. */
export interface ParticipantSnapshots {
  /** The participant's state now; the previous object when nothing changed (snapshots stay stable by reference). */
  snapshot(p: ParticipantLike, isLocal: boolean): ParticipantState
  /** The last state of a participant that left (read now if it had none), then forgotten. */
  forget(p: ParticipantLike): ParticipantState
  /** Who spoke a transcript: the owner of `trackId` when given (an agent transcribes the caller), else `identity`. */
  speakerOf(room: RoomLike | null, identity: string, trackId?: string): TranscriptSpeaker
}

const SIP_STATUSES = new Set<string>(['dialing', 'ringing', 'automation', 'active', 'hangup'])

/** Snapshots of one session's participants; `participantKinds` is livekit-client's `ParticipantKind` once loaded. */
export function createParticipantSnapshots(
  participantKinds: () => Record<string, string | number> | undefined,
): ParticipantSnapshots {
  const cache = new Map<string, ParticipantState>()

  const kindOf = (p: ParticipantLike): ParticipantKind => {
    const K = participantKinds() ?? {}
    if (p.kind === K.SIP) return 'sip'
    if (p.kind === K.AGENT) return 'agent'
    if (p.kind === K.STANDARD) return 'user'
    return 'other'
  }

  const snapshot = (p: ParticipantLike, isLocal: boolean): ParticipantState => {
    const kind = kindOf(p)
    const status = p.attributes['sip.callStatus']
    let muted: boolean
    if (isLocal) muted = !(p as LocalParticipantLike).isMicrophoneEnabled
    else {
      muted = true
      for (const pub of p.audioTrackPublications.values()) if (!pub.isMuted) muted = false
    }
    const next: ParticipantState = {
      identity: p.identity,
      name: p.name || null,
      kind,
      isLocal,
      speaking: p.isSpeaking,
      muted,
      sipStatus: kind === 'sip' && status && SIP_STATUSES.has(status) ? (status as SipCallStatus) : null,
      attributes: { ...p.attributes },
    }
    const prev = cache.get(p.identity)
    if (prev && sameParticipant(prev, next)) return prev
    cache.set(p.identity, next)
    return next
  }

  return {
    snapshot,
    forget(p) {
      const left = cache.get(p.identity) ?? snapshot(p, false)
      cache.delete(p.identity)
      return left
    },
    speakerOf(room, identity, trackId) {
      if (!room) return { identity, name: null, kind: 'other' }
      const all: Array<[ParticipantLike, boolean]> = [
        [room.localParticipant, true],
        ...[...room.remoteParticipants.values()].map((p) => [p, false] as [ParticipantLike, boolean]),
      ]
      const owner = trackId
        ? all.find(([p]) => [...p.audioTrackPublications.values()].some((pub) => pub.trackSid === trackId))
        : undefined
      const found = owner ?? all.find(([p]) => p.identity === identity)
      if (!found) return { identity, name: null, kind: 'other' }
      const [p] = found
      return { identity: p.identity, name: p.name || null, kind: kindOf(p) }
    },
  }
}

function sameParticipant(a: ParticipantState, b: ParticipantState): boolean {
  if (
    a.identity !== b.identity ||
    a.name !== b.name ||
    a.kind !== b.kind ||
    a.isLocal !== b.isLocal ||
    a.speaking !== b.speaking ||
    a.muted !== b.muted ||
    a.sipStatus !== b.sipStatus
  ) {
    return false
  }
  const ka = Object.keys(a.attributes)
  if (ka.length !== Object.keys(b.attributes).length) return false
  return ka.every((k) => a.attributes[k] === b.attributes[k])
}
