// Phone calls placed into a LiveKit room of the app's own (`POST /calls` with `room`): a team already on LiveKit
// (`<LiveKitRoom>` with its own tokens) adds a phone participant to the room its users are in. Ringline never
// deletes such a room: hanging up removes only the phone's participant.
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { isNotFound } from '../livekit'
import type { Principal } from '../types'
import type { StoredCall } from './callRow'

/** Ringline's own room prefixes (outbound, inbound, internal): their rooms have their own records and rules. */
const RINGLINE_ROOM = /^(out|in|int)-/

/**
 * Checks that `room` is an existing LiveKit room of the app's own that `calls.roomAccess` lets the user dial into;
 * throws 403 `FORBIDDEN` (no hook, refused, or a Ringline room) or 404 `ROOM_NOT_FOUND` (no such room now).
 */
export async function checkSharedRoom(
  ctx: RinglineContext,
  principal: Principal,
  room: string,
): Promise<void> {
  const access = ctx.config.calls.roomAccess
  if (RINGLINE_ROOM.test(room)) {
    throw new HttpError('FORBIDDEN', 'room: Ringline’s own rooms cannot take a second call.', {
      field: 'room',
    })
  }
  if (!access) {
    throw new HttpError('FORBIDDEN', 'Dialling into a room needs the server’s `calls.roomAccess` setting.', {
      field: 'room',
    })
  }
  if (!(await access(principal, room))) {
    throw new HttpError('FORBIDDEN', 'You may not place calls into this room.', { field: 'room' })
  }
  const rooms = await ctx.livekit().room.listRooms([room])
  if (!rooms.some((r) => r.name === room)) {
    throw new HttpError('ROOM_NOT_FOUND', `No LiveKit room named "${room}" is open.`, { field: 'room' })
  }
}

/** Ends a call's media: its phone participant in a shared room, else the whole room (Ringline's own). */
export async function endCallRoom(ctx: RinglineContext, call: StoredCall): Promise<void> {
  const { room } = ctx.livekit()
  try {
    if (call.internals.sharedRoom) {
      if (call.internals.sipIdentity) await room.removeParticipant(call.roomName, call.internals.sipIdentity)
    } else {
      await room.deleteRoom(call.roomName)
    }
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}
