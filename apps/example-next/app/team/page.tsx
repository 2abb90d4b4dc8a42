import { InternalCall } from '@ringline/react'
import { currentUser } from '../../lib/currentUser'

/** Team room: browser voice rooms between members of one tenant. */
export default async function TeamPage() {
  const user = await currentUser()
  return <InternalCall defaultDisplayName={user?.name} />
}
