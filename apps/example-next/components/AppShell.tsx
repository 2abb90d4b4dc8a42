'use client'

import { EnableSound, IncomingCallOverlay, RinglineProvider } from '@ringline/react'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { type ReactNode, useEffect, useState } from 'react'
import { type DemoUser, findDemoUser } from '../lib/demoUsers'

const NAV = [
  { href: '/phone', label: 'Phone' },
  { href: '/history', label: 'History' },
  { href: '/team', label: 'Team room' },
  { href: '/settings', label: 'Settings' },
  { href: '/ready', label: 'Ready check' },
]

/** Signed-in frame of the example app: navigation, the Ringline provider and the incoming-call overlay on every page. */
export function AppShell({ user, children }: { user: DemoUser; children: ReactNode }) {
  const pathname = usePathname()
  const router = useRouter()
  // Marks the page interactive, so end-to-end tests type only once React has hydrated.
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])
  async function signOut() {
    await fetch('/api/demo/session', { method: 'DELETE' })
    router.push('/')
    router.refresh()
  }
  return (
    <RinglineProvider baseUrl="/api/ringline">
      <header className="demo-header" data-hydrated={hydrated ? '' : undefined}>
        <span className="demo-brand">
          <img src="/icon.svg" alt="" width={24} height={24} />
          Ringline demo
        </span>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <Link key={item.href} href={item.href} aria-current={pathname === item.href ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span className="demo-user" data-testid="signed-in-user">
          {user.name} · {user.tenantName}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main className="demo-main">
        {/* Before any call rings: the browser blocks sound until a click, so say so and offer the click. A toast
            in a corner: it appears after hydration and must not move the page under the user's pointer. */}
        <EnableSound className="demo-sound-toast" />
        {children}
      </main>
      <IncomingCallOverlay currentUserId={user.userId} resolveUser={(id) => findDemoUser(id)?.name} />
    </RinglineProvider>
  )
}
