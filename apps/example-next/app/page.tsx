import { redirect } from 'next/navigation'
import { currentUser } from '../lib/currentUser'

/** Home: signed-in users go to the phone; others see the sign-in picker from the layout. */
export default async function Home() {
  if (await currentUser()) redirect('/phone')
  return null
}
