'use client'
import type { TwilioVoiceSettingsApi } from '@ringline/core'
import type { TwilioVoiceStatus, TwilioVoiceTokenResponse } from '@ringline/core/protocol'
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react'
import { ConfirmDialog } from '../internal/ConfirmDialog'
import { CredentialField } from '../internal/CredentialField'
import { cx } from '../internal/cx'
import { LiveRegion } from '../internal/LiveRegion'
import type { OverridesBodyProps } from '../internal/lazyBody'
import type { VoiceConfigurationCardProps, VoiceConfigurationCardShared } from './VoiceConfigurationCard'
import {
  type VoiceConfigurationCardLabels,
  type VoiceConfigurationStage,
  type VoiceConfigurationState,
  voiceConfigurationCardLabels,
} from './voiceConfigurationCardLabels'

const STAGES: VoiceConfigurationStage[] = ['validating', 'provisioning', 'checking', 'done']
const PERCENT: Record<VoiceConfigurationStage, number> = {
  validating: 25,
  provisioning: 50,
  checking: 75,
  done: 100,
}

type Fields = { accountSid: string; authToken: string }
interface Problem {
  code: string
  message: string
}
const problemOf = (error: unknown): Problem => {
  const e = error as { code?: unknown; message?: unknown } | null
  return {
    code: typeof e?.code === 'string' ? e.code : 'INTERNAL',
    message: typeof e?.message === 'string' ? e.message : String(error),
  }
}
const missingApi = (): never => {
  throw Object.assign(new Error('This API has no `twilioVoice` operations (use createRinglineApi).'), {
    code: 'NOT_CONFIGURED',
  })
}

let shared: VoiceConfigurationCardShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadVoiceConfigurationCardBody(
  given: VoiceConfigurationCardShared,
): typeof VoiceConfigurationCardBody {
  shared = given
  return VoiceConfigurationCardBody
}

/** The body of {@link VoiceConfigurationCard}, loaded with import() on its first render. */
export function VoiceConfigurationCardBody({
  client,
  api: apiProp,
  labels: overrides,
  provisioningAfterMs = 800,
  onConfigured,
  onTested,
  className,
  ...rest
}: OverridesBodyProps<VoiceConfigurationCardProps, VoiceConfigurationCardLabels>) {
  const labels = shared.useDefaultLabels(voiceConfigurationCardLabels, overrides)
  const api = shared.useRinglineApi(client, apiProp)
  const voice: TwilioVoiceSettingsApi | undefined = api.twilioVoice
  const errorText = shared.useErrorText()
  const id = useId()
  const [status, setStatus] = useState<TwilioVoiceStatus | null>(null)
  const [loading, setLoading] = useState(true)
  const [editing, setEditing] = useState(false)
  const [form, setForm] = useState<Fields>({ accountSid: '', authToken: '' })
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof Fields, string>>>({})
  const [stage, setStage] = useState<VoiceConfigurationStage | null>(null)
  const [failed, setFailed] = useState(false)
  const [pending, setPending] = useState<'configuring' | 'testing' | 'removing' | null>(null)
  const [error, setError] = useState<Problem | null>(null)
  const [tested, setTested] = useState<TwilioVoiceTokenResponse | null>(null)
  const [confirmRemove, setConfirmRemove] = useState(false)
  const alive = useRef(true)
  useEffect(() => {
    alive.current = true
    return () => {
      alive.current = false
    }
  }, [])

  const load = useCallback(
    async (signal?: AbortSignal): Promise<TwilioVoiceStatus | null> => {
      try {
        const next = await (voice ?? missingApi()).status(signal)
        if (alive.current && !signal?.aborted) setStatus(next)
        return next
      } catch (e) {
        if (alive.current && !signal?.aborted) setError(problemOf(e))
        return null
      } finally {
        if (alive.current && !signal?.aborted) setLoading(false)
      }
    },
    [voice],
  )
  useEffect(() => {
    const controller = new AbortController()
    void load(controller.signal)
    return () => controller.abort()
  }, [load])

  const configured = status?.configured === true
  const state: VoiceConfigurationState = loading
    ? 'loading'
    : pending === 'configuring' || (stage !== null && stage !== 'done' && !failed)
      ? 'configuring'
      : configured && !editing
        ? 'configured'
        : 'credentials'
  // The card's own text and fix for its code, else the catalogue's text for the code (or the server's message).
  const problem = error
    ? (labels.errors[error.code] ?? {
        ...labels.unknownError,
        message: errorText(error, undefined, labels.unknownError.message),
      })
    : null
  const envManaged = status?.setupMethod === 'env'

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const fields = { accountSid: form.accountSid.trim(), authToken: form.authToken.trim() }
    const problems = shared.twilioVoiceCredentialsProblems(fields)
    const keys = Object.keys(problems) as (keyof Fields)[]
    setFieldErrors(Object.fromEntries(keys.map((k) => [k, labels.fieldErrors[k]])))
    if (keys.length > 0 || pending) return
    setError(null)
    setTested(null)
    setFailed(false)
    setPending('configuring')
    setStage('validating')
    // One request validates and provisions; after a moment the bar moves on to what Twilio is doing by then.
    const timer = setTimeout(() => {
      if (alive.current) setStage((s) => (s === 'validating' ? 'provisioning' : s))
    }, provisioningAfterMs)
    try {
      await (voice ?? missingApi()).autoConfigure(fields)
      clearTimeout(timer)
      if (!alive.current) return
      setStage('checking')
      const next = await (voice ?? missingApi()).status()
      if (!alive.current) return
      setStatus(next)
      if (next.configured && next.hasTwimlApp) {
        setStage('done')
        setEditing(false)
        setForm({ accountSid: '', authToken: '' })
        onConfigured?.(next)
      } else {
        setFailed(true)
        setError({ code: 'NOT_CONFIGURED', message: 'The status check does not show a TwiML app.' })
      }
    } catch (e) {
      clearTimeout(timer)
      if (!alive.current) return
      setFailed(true)
      setError(problemOf(e))
    } finally {
      if (alive.current) setPending(null)
    }
  }

  // Dismissing a failed set-up's notice also clears its stopped progress bar: a bar left at 50 % would read as a
  // set-up still under way.
  const dismiss = () => {
    setError(null)
    if (failed) {
      setFailed(false)
      setStage(null)
    }
  }

  const onTest = async () => {
    setError(null)
    setTested(null)
    setPending('testing')
    try {
      const result = await (voice ?? missingApi()).token()
      if (!alive.current) return
      setTested(result)
      onTested?.(result)
    } catch (e) {
      if (alive.current) setError(problemOf(e))
    } finally {
      if (alive.current) setPending(null)
    }
  }

  const onRemove = async () => {
    setConfirmRemove(false)
    setError(null)
    setPending('removing')
    try {
      await (voice ?? missingApi()).remove()
      if (!alive.current) return
      setStage(null)
      setTested(null)
      await load()
    } catch (e) {
      if (alive.current) setError(problemOf(e))
    } finally {
      if (alive.current) setPending(null)
    }
  }

  const field = (key: keyof Fields, label: string, hint: string, secret = false) => (
    <CredentialField
      id={`${id}-${key}`}
      label={label}
      hint={hint}
      error={fieldErrors[key]}
      secret={secret}
      value={form[key]}
      onChange={(value) => setForm((prev) => ({ ...prev, [key]: value }))}
    />
  )

  const busy = pending !== null
  const announce = stage
    ? `${labels.stages[stage]} ${PERCENT[stage]}%`
    : tested
      ? labels.testPassed(tested.identity)
      : ''

  return (
    <section
      className={cx('rl-voice-config', className)}
      aria-labelledby={`${id}-title`}
      data-state={state}
      aria-busy={busy || loading || undefined}
      {...rest}
    >
      <LiveRegion message={announce} />
      <header className="rl-voice-settings-header">
        <h2 id={`${id}-title`} className="rl-voice-settings-title">
          {labels.title}
        </h2>
        <span className="rl-badge" data-status={state === 'configured' ? 'connected' : state}>
          {labels.state[state]}
        </span>
        <p className="rl-hint">{labels.description}</p>
      </header>

      {status && !loading ? (
        <ul className="rl-voice-badges" aria-label={labels.badges.label}>
          <li className="rl-badge" data-status={status.configured ? 'connected' : 'disconnected'}>
            {status.configured ? labels.badges.configured : labels.badges.notConfigured}
          </li>
          <li className="rl-badge" data-status={status.hasTwimlApp ? 'connected' : 'disconnected'}>
            {status.hasTwimlApp && status.twimlAppSid
              ? labels.badges.twimlApp(status.twimlAppSid)
              : labels.badges.noTwimlApp}
          </li>
          {status.configured ? (
            <li className="rl-badge" data-status={status.callerId ? 'connected' : 'disconnected'}>
              {status.callerId ? labels.badges.callerId(status.callerId) : labels.badges.noCallerId}
            </li>
          ) : null}
          {status.setupMethod ? (
            <li className="rl-badge" data-status="info">
              {labels.badges.setupMethod[status.setupMethod]}
            </li>
          ) : null}
        </ul>
      ) : null}

      {problem ? (
        <div className="rl-problem" role="alert" data-code={error?.code}>
          <shared.AlertIcon />
          <div>
            <p className="rl-problem-message">{problem.message}</p>
            <p className="rl-problem-fix">{problem.fix}</p>
          </div>
          <button type="button" className="rl-button" onClick={dismiss}>
            {labels.dismiss}
          </button>
        </div>
      ) : null}

      {state === 'credentials' ||
      (state === 'configuring' && !configured) ||
      (editing && state !== 'loading') ? (
        <form className="rl-voice-credentials" aria-label={labels.credentials} onSubmit={onSubmit} noValidate>
          {field('accountSid', labels.accountSid, labels.accountSidHint)}
          {field('authToken', labels.authToken, labels.authTokenHint, true)}
          <div className="rl-actions">
            <button type="submit" className="rl-button" data-variant="primary" disabled={busy}>
              {pending === 'configuring' ? labels.configuring : labels.configure}
            </button>
            {editing ? (
              <button type="button" className="rl-button" disabled={busy} onClick={() => setEditing(false)}>
                {labels.cancel}
              </button>
            ) : null}
          </div>
        </form>
      ) : null}

      {stage ? (
        <div className="rl-voice-progress" data-state={failed ? 'failed' : stage}>
          <div
            role="progressbar"
            aria-label={labels.progress}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={PERCENT[stage]}
            aria-valuetext={`${PERCENT[stage]}% – ${labels.stages[stage]}`}
            className="rl-progress"
            style={{ ['--rl-progress' as string]: `${PERCENT[stage]}%` }}
          >
            <span className="rl-progress-bar" />
          </div>
          <ol className="rl-steps">
            {STAGES.map((s, index) => {
              const current = STAGES.indexOf(stage)
              const stepState =
                index < current || (s === 'done' && stage === 'done')
                  ? 'done'
                  : index === current
                    ? failed
                      ? 'failed'
                      : 'current'
                    : 'pending'
              return (
                <li
                  key={s}
                  data-state={stepState}
                  aria-current={stepState === 'current' ? 'step' : undefined}
                >
                  {stepState === 'done' ? (
                    <shared.CheckIcon />
                  ) : stepState === 'failed' ? (
                    <shared.AlertIcon />
                  ) : null}
                  <span>
                    {PERCENT[s]}% {labels.stages[s]}
                  </span>
                </li>
              )
            })}
          </ol>
        </div>
      ) : null}

      {state === 'configured' && status ? (
        <div className="rl-voice-configured">
          {status.accountSid ? <p className="rl-hint">{labels.account(status.accountSid)}</p> : null}
          {envManaged ? <p className="rl-hint">{labels.envManaged}</p> : null}
          <div className="rl-actions">
            <button
              type="button"
              className="rl-button"
              data-variant="primary"
              disabled={busy}
              onClick={() => void onTest()}
            >
              {pending === 'testing' ? labels.testing : labels.testConnection}
            </button>
            <button type="button" className="rl-button" disabled={busy} onClick={() => void load()}>
              {labels.refresh}
            </button>
            {!envManaged ? (
              <>
                <button
                  type="button"
                  className="rl-button"
                  disabled={busy}
                  onClick={() => {
                    setStage(null)
                    setEditing(true)
                  }}
                >
                  {labels.reconfigure}
                </button>
                <button
                  type="button"
                  className="rl-button"
                  data-variant="danger"
                  disabled={busy}
                  onClick={() => setConfirmRemove(true)}
                >
                  {labels.remove}
                </button>
              </>
            ) : null}
          </div>
          {tested ? (
            <p className="rl-success">
              <shared.CheckIcon /> {labels.testPassed(tested.identity)}
            </p>
          ) : null}
          {confirmRemove ? (
            <ConfirmDialog
              title={labels.removeConfirm}
              cancelLabel={labels.cancel}
              confirmLabel={labels.remove}
              onCancel={() => setConfirmRemove(false)}
              onConfirm={() => void onRemove()}
            />
          ) : null}
        </div>
      ) : null}
    </section>
  )
}
