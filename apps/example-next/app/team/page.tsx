import { InternalCall } from '@ringline/react'
import Link from 'next/link'
import { currentUser } from '../../lib/currentUser'
import { supportAgentName } from '../../lib/roomKinds'

/** Team room: browser voice rooms between members of one tenant; `?kind=support` starts a support room with its agent. */
export default async function TeamPage({
  searchParams,
}: {
  searchParams: Promise<{ kind?: string | string[] }>
}) {
  const [{ kind }, user] = await Promise.all([searchParams, currentUser()])
  const support = kind === 'support'
  return (
    <>
      <p className="demo-room-kind">
        {support ? (
          <Link href="/team">Back to team rooms</Link>
        ) : (
          <Link href="/team?kind=support">Start support room</Link>
        )}
      </p>
      {support ? (
        <InternalCall
          key="support"
          defaultDisplayName={user?.name}
          defaultRoomName="support"
          kind="support"
          agents={[supportAgentName()]}
        />
      ) : (
        <InternalCall key="team" defaultDisplayName={user?.name} />
      )}
    </>
  )
}
