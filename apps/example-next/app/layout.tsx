import type { Metadata } from 'next'
import { cookies } from 'next/headers'
import type { ReactNode } from 'react'
import '@ringline/react/styles.css'
import './demo.css'
import { AppShell } from '../components/AppShell'
import { SignIn } from '../components/SignIn'
import { currentUser } from '../lib/currentUser'
import { parseTransport, TRANSPORT_COOKIE } from '../lib/transportChoice'

export const metadata: Metadata = {
  title: 'Ringline example',
  description: 'Phone and browser calling with Ringline on a local LiveKit sandbox.',
}

/** Root layout: the sign-in picker, or the app with the incoming-call overlay on every page. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const [user, store] = await Promise.all([currentUser(), cookies()])
  const transport = parseTransport(store.get(TRANSPORT_COOKIE)?.value)
  const twilioSimulator = process.env.RINGLINE_TWILIO_SIMULATOR === '1'
  return (
    <html lang="en">
      <body>
        {user ? (
          <AppShell user={user} transport={transport} twilioSimulator={twilioSimulator}>
            {children}
          </AppShell>
        ) : (
          <SignIn />
        )}
      </body>
    </html>
  )
}
