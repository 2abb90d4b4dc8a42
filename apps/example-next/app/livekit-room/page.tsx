import { LiveKitRoomPanel } from '../../components/LiveKitRoomPanel'

/** Your own LiveKit room (`<LiveKitRoom>` from @livekit/components-react), with Ringline dialling a phone into it. */
export default function LiveKitRoomPage() {
  return <LiveKitRoomPanel room="support" />
}
