// The `rooms` option of `createRingline`: room kinds and their policies, checked at start-up.
import { roomKindSchema } from '@ringline/core/protocol'
import type { RecordingPolicy } from '../recording/types'

/** What a room kind does. */
export interface RoomKindPolicy {
  /**
   * The agent dispatched once per room when a room of this kind is joined (`POST /token`, `POST /rooms/:name/join`);
   * `metadata` (a string, or an object sent as JSON) is its job metadata.
   */
  agent?: { agentName: string; metadata?: string | Record<string, unknown> }
  /** Recording policy of rooms of this kind; wins over `recording.policy` (default: that policy). */
  recording?: RecordingPolicy
}

/** `rooms` option of `createRingline`. */
export interface RoomsOptions {
  /**
   * The kinds a join may ask for, e.g. `{ support: { agent: { agentName: 'support-agent' }, recording: 'on-answer' },
   * conference: {} }`. A join naming another kind is refused with 400 `INVALID_REQUEST`.
   */
  kinds?: Record<string, RoomKindPolicy>
}

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

/** Checks the `rooms` option at start-up; throws a `TypeError` naming the bad kind. */
export function resolveRoomKinds(options: RoomsOptions | undefined): Record<string, RoomKindPolicy> {
  const kinds = options?.kinds ?? {}
  for (const [kind, policy] of Object.entries(kinds)) {
    if (!roomKindSchema.safeParse(kind).success) {
      throw new TypeError(
        `rooms.kinds: "${kind}" is not a room kind (1–32 lowercase letters, digits, - or _).`,
      )
    }
    if (policy.agent && !AGENT_NAME.test(policy.agent.agentName)) {
      throw new TypeError(
        `rooms.kinds.${kind}.agent.agentName: "${policy.agent.agentName}" is not an agent name.`,
      )
    }
  }
  return kinds
}
