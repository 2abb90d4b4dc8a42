'use client'

import { createCallClient } from '@ringline/core'
import { twilioVoiceTransport } from '@ringline/core/twilio'
import { createContext, useContext, useEffect, useMemo, useRef } from 'react'
import type { DemoTransport } from '../lib/transportChoice'

/** The transport in use and how to switch it (provided by AppShell). */
export interface DemoTransportState {
  transport: DemoTransport
  /** The app's Twilio runs on Ringline's simulator (RINGLINE_TWILIO_SIMULATOR=1): Twilio Voice uses a demo Device. */
  simulated: boolean
  setTransport(transport: DemoTransport): void
}

/** Context of the transport switch. */
export const DemoTransportContext = createContext<DemoTransportState | null>(null)

/** The transport in use and the switch; throws outside AppShell. */
export function useDemoTransport(): DemoTransportState {
  const state = useContext(DemoTransportContext)
  if (!state) throw new Error('useDemoTransport must be used inside AppShell')
  return state
}

/**
 * A call client for the chosen transport, destroyed when the transport changes or the shell unmounts. Twilio Voice
 * uses the real `@twilio/voice-sdk` Device (loaded on first use), or with the simulator the demo Device.
 */
export function useDemoCallClient(transport: DemoTransport, simulated: boolean) {
  const client = useMemo(
    () =>
      createCallClient({
        baseUrl: '/api/ringline',
        ...(transport === 'twilio'
          ? {
              transport: twilioVoiceTransport(
                simulated
                  ? {
                      Device: () =>
                        import('../lib/simulatedTwilioDevice').then((m) => m.SimulatedTwilioDevice),
                      // The demo Device only places calls; incoming Twilio calls need the real SDK.
                      incoming: false,
                    }
                  : {},
              ),
            }
          : {}),
      }),
    [transport, simulated],
  )
  // StrictMode unmounts and remounts at once: destroy a client only if no remount with it follows.
  const pending = useRef<{ client: typeof client; timer: ReturnType<typeof setTimeout> } | null>(null)
  useEffect(() => {
    if (pending.current?.client === client) {
      clearTimeout(pending.current.timer)
      pending.current = null
    }
    return () => {
      pending.current = { client, timer: setTimeout(() => client.destroy(), 0) }
    }
  }, [client])
  return client
}
