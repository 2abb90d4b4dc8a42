import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import '@ringline/react/styles.css'
import './demo.css'
import { AppShell } from '../components/AppShell'
import { SignIn } from '../components/SignIn'
import { currentUser } from '../lib/currentUser'

export const metadata: Metadata = {
  title: 'Ringline example',
  description: 'Phone and browser calling with Ringline on a local LiveKit sandbox.',
}

/** Root layout: the sign-in picker, or the app with the incoming-call overlay on every page. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser()
  return (
    <html lang="en">
      <body>{user ? <AppShell user={user}>{children}</AppShell> : <SignIn />}</body>
    </html>
  )
}
