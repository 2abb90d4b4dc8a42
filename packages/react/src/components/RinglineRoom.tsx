'use client'
import type { RoomLike } from '@ringline/core'
import { useEffect } from 'react'
import { useRingline } from '../RinglineProvider'
import type { CallClientLike } from '../types'

/** Props of {@link RinglineRoom}. */
export interface RinglineRoomProps {
  /**
   * A LiveKit room the app already joined: `useRoomContext()` inside `<LiveKitRoom>` (@livekit/components-react),
   * or your own livekit-client `Room`. Null or undefined attaches nothing.
   */
  room: RoomLike | null | undefined
  /** Use this client instead of the provider's. */
  client?: CallClientLike
}

/**
 * While mounted, the Ringline client places its calls into `room` (`client.attachRoom`): a `Dialer` adds the phone
 * to that room, `CallControls` act on it. Renders nothing; the room's audio stays the app's to render
 * (`<RoomAudioRenderer />`).
 */
export function RinglineRoom({ room, client }: RinglineRoomProps): null {
  const resolved = useRingline(client)
  useEffect(() => {
    if (!room) return
    if (!resolved.attachRoom) {
      throw new Error('This Ringline client cannot use an existing LiveKit room (it has no attachRoom).')
    }
    resolved.attachRoom(room)
    return () => resolved.attachRoom?.(null)
  }, [resolved, room])
  return null
}
