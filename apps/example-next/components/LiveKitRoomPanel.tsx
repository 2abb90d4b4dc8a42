'use client'

import {
  LiveKitRoom,
  RoomAudioRenderer,
  useConnectionState,
  useParticipants,
  useRoomContext,
} from '@livekit/components-react'
import { CallControls, Dialer, RinglineRoom, useActiveCall } from '@ringline/react'
import { useEffect, useState } from 'react'

interface Joined {
  serverUrl: string
  token: string
  roomName: string
}

/**
 * A room of the app's own, joined with @livekit/components-react (token from the app's endpoint, not Ringline's);
 * `<RinglineRoom>` hands it to Ringline, so the Dialer places the phone into it and CallControls hang it up.
 */
export function LiveKitRoomPanel({ room }: { room: string }) {
  const [joined, setJoined] = useState<Joined | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    fetch('/api/demo/livekit-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room }),
    })
      .then(async (res) => (res.ok ? setJoined(await res.json()) : setError(`token: ${res.status}`)))
      .catch((e: unknown) => setError(String(e)))
  }, [room])
  if (error) return <p role="alert">{error}</p>
  if (!joined) return <p>Joining…</p>
  return (
    <LiveKitRoom serverUrl={joined.serverUrl} token={joined.token} connect audio video={false}>
      <RoomAudioRenderer />
      <RoomView roomName={joined.roomName} />
    </LiveKitRoom>
  )
}

function RoomView({ roomName }: { roomName: string }) {
  const lkRoom = useRoomContext()
  const state = useConnectionState()
  const participants = useParticipants()
  const { call } = useActiveCall()
  return (
    <div className="demo-phone">
      <RinglineRoom room={lkRoom} />
      <section aria-label="LiveKit room" data-testid="livekit-room" data-state={state}>
        <h2>{roomName}</h2>
        <ul aria-label="Participants">
          {participants.map((p) => (
            <li key={p.identity} data-identity={p.identity}>
              {p.name || p.identity}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Dialer">{state === 'connected' ? <Dialer /> : null}</section>
      <section aria-label="Active call">{call ? <CallControls /> : null}</section>
    </div>
  )
}
