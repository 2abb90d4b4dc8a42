'use client'

import { useRinglineApi } from '@ringline/react'
import { useEffect, useId, useState } from 'react'
import { type DemoTransport, TRANSPORT_LABELS } from '../lib/transportChoice'
import { useDemoTransport } from './DemoTransport'

const CHOICES: DemoTransport[] = ['livekit', 'twilio']

/**
 * "Calls go over: LiveKit | Twilio Voice", remembered in this browser. Twilio Voice is offered once it is configured
 * for the workspace (`GET /twilio/voice`); until then the card says to configure it first.
 */
export function TransportSwitch({ refreshKey }: { refreshKey: number }) {
  const api = useRinglineApi()
  const { transport, simulated, setTransport } = useDemoTransport()
  const [configured, setConfigured] = useState<boolean | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const name = useId()
  // refreshKey: asks again after Voice calling was set up.
  useEffect(() => {
    const controller = new AbortController()
    const voice = api.twilioVoice
    if (!voice) return
    voice.status(controller.signal).then(
      (status) => {
        setConfigured(status.configured)
        setProblem(null)
      },
      (error: { message?: string }) => {
        if (!controller.signal.aborted) setProblem(error.message ?? String(error))
      },
    )
    return () => controller.abort()
  }, [api, refreshKey])
  // Twilio Voice stays selectable while in use, so a browser can always switch back.
  const offerTwilio = configured === true || transport === 'twilio'
  return (
    <section className="demo-transport-switch" aria-labelledby={`${name}-title`}>
      <h2 id={`${name}-title`}>Call transport</h2>
      <fieldset disabled={configured === null && problem === null}>
        <legend>Calls go over:</legend>
        {CHOICES.map((choice) => (
          <label key={choice}>
            <input
              type="radio"
              name={name}
              value={choice}
              checked={transport === choice}
              disabled={choice === 'twilio' && !offerTwilio}
              onChange={() => setTransport(choice)}
            />{' '}
            {TRANSPORT_LABELS[choice]}
          </label>
        ))}
      </fieldset>
      {configured === false ? (
        <p className="rl-hint" data-testid="transport-hint">
          To use Twilio Voice, configure it first under Voice calling below.
        </p>
      ) : null}
      {transport === 'twilio' && simulated ? (
        <p className="rl-hint">
          Simulated: calls are placed at the Twilio simulator in the app&apos;s server and connect without
          audio.
        </p>
      ) : null}
      {problem ? <p role="alert">{problem}</p> : null}
      <p className="rl-hint">Remembered in this browser.</p>
    </section>
  )
}
