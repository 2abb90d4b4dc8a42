import { cookies } from 'next/headers'
import type { DemoUser } from './demoUsers'
import { SESSION_COOKIE, userFromSession } from './session'

/** The signed-in demo user of the current request, if any. */
export async function currentUser(): Promise<DemoUser | undefined> {
  const store = await cookies()
  return userFromSession(store.get(SESSION_COOKIE)?.value)
}
