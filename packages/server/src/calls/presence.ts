/**
 * Participant presence as a function of the *set* of LiveKit join/leave events, not their order.
 *
 * LiveKit gives every connection of a participant its own session id (`sid`); a session joins at most once and
 * leaves at most once. So a participant is present while one of its sessions has joined and not left, and a
 * leave that arrives before its join (webhooks are retried and may be delivered out of order, to any instance)
 * still wins: applying the same events in any order, any number of times, gives the same result.
 */

/** What is known of one session: when LiveKit said it joined and left (ISO times), either possibly unknown yet. */
export interface ParticipantSession {
  joinedAt?: string
  leftAt?: string
}

/** A participant's sessions by LiveKit participant sid. */
export type ParticipantSessions = Record<string, ParticipantSession>

/** A join or leave of one session. */
export interface SessionFact {
  sid: string
  type: 'joined' | 'left'
  /** When it happened, as LiveKit reported it (ISO). */
  at: string
}

const earliest = (a: string | undefined, b: string) => (a !== undefined && a <= b ? a : b)
const latest = (a: string | undefined, b: string) => (a !== undefined && a >= b ? a : b)

/** Adds one fact; commutative and idempotent (a repeated fact keeps the earliest join and the latest leave). */
export function addSessionFact(sessions: ParticipantSessions, fact: SessionFact): ParticipantSessions {
  const known = sessions[fact.sid] ?? {}
  const next: ParticipantSession =
    fact.type === 'joined'
      ? { ...known, joinedAt: earliest(known.joinedAt, fact.at) }
      : { ...known, leftAt: latest(known.leftAt, fact.at) }
  return { ...sessions, [fact.sid]: next }
}

/** Whether the participant is present, when it first joined and (when gone) when it last left. */
export function presenceOf(sessions: ParticipantSessions): {
  present: boolean
  joinedAt: string | null
  leftAt: string | null
} {
  let present = false
  let joinedAt: string | undefined
  let leftAt: string | undefined
  for (const s of Object.values(sessions)) {
    if (s.joinedAt !== undefined && s.leftAt === undefined) present = true
    if (s.joinedAt !== undefined)
      joinedAt = joinedAt === undefined ? s.joinedAt : earliest(joinedAt, s.joinedAt)
    if (s.leftAt !== undefined) leftAt = leftAt === undefined ? s.leftAt : latest(leftAt, s.leftAt)
  }
  return { present, joinedAt: joinedAt ?? null, leftAt: present ? null : (leftAt ?? null) }
}
