'use client'

import { EnableSound, IncomingCallOverlay, RinglineProvider } from '@ringline/react'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { type ReactNode, useEffect, useMemo, useState } from 'react'
import { type DemoUser, findDemoUser } from '../lib/demoUsers'
import { type DemoTransport, rememberTransport, TRANSPORT_LABELS } from '../lib/transportChoice'
import { DemoTransportContext, useDemoCallClient } from './DemoTransport'

/** The header's short name of each transport (Settings shows the long one). */
const SHORT_LABELS = { livekit: 'LiveKit', twilio: 'Twilio Voice' } as const

const NAV = [
  { href: '/phone', label: 'Phone' },
  { href: '/history', label: 'History' },
  { href: '/team', label: 'Team room' },
  { href: '/settings', label: 'Settings' },
  { href: '/ready', label: 'Ready check' },
]

/**
 * Signed-in frame of the example app: navigation, the Ringline provider (its client on the transport this browser
 * chose in Settings) and the incoming-call overlay on every page.
 */
export function AppShell({
  user,
  transport: initialTransport,
  twilioSimulator,
  children,
}: {
  user: DemoUser
  /** The transport remembered for this browser (cookie). */
  transport: DemoTransport
  /** RINGLINE_TWILIO_SIMULATOR=1: Twilio Voice runs on a demo Device against the simulator. */
  twilioSimulator: boolean
  children: ReactNode
}) {
  const [transport, setTransportState] = useState(initialTransport)
  const client = useDemoCallClient(transport, twilioSimulator)
  const transportState = useMemo(
    () => ({
      transport,
      simulated: twilioSimulator,
      setTransport(next: DemoTransport) {
        rememberTransport(next)
        setTransportState(next)
      },
    }),
    [transport, twilioSimulator],
  )
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
    <DemoTransportContext.Provider value={transportState}>
      {/* A new client per transport: the provider (and everything below) starts over with it. */}
      <RinglineProvider key={transport} client={client}>
        <header className="demo-header" data-hydrated={hydrated ? '' : undefined}>
          <span className="demo-brand">
            <img src="/icon.svg" alt="" width={24} height={24} />
            Ringline demo
          </span>
          <nav aria-label="Main">
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={pathname === item.href ? 'page' : undefined}
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <Link
            href="/settings"
            className="demo-transport"
            data-testid="active-transport"
            data-transport={transport}
            title={`Calls go over ${TRANSPORT_LABELS[transport]}${transport === 'twilio' && twilioSimulator ? ' (simulated)' : ''}; switch in Settings`}
          >
            Calls: {SHORT_LABELS[transport]}
          </Link>
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
    </DemoTransportContext.Provider>
  )
}
