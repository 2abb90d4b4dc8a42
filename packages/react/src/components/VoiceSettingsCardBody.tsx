'use client'
import type { ConnectStage, TwilioOnboardingStep } from '@ringline/core'
import type { NumberConnection, TwilioCredentialsRequest } from '@ringline/core/protocol'
import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import type { TwilioOnboardingResult } from '../hooks/useTwilioOnboarding'
import { ConfirmDialog } from '../internal/ConfirmDialog'
import { CredentialField } from '../internal/CredentialField'
import { cx } from '../internal/cx'
import { LiveRegion } from '../internal/LiveRegion'
import type { BodyProps, OverridesBodyProps } from '../internal/lazyBody'
import { usePhoneNumberFormat } from '../internal/usePhoneNumberFormat'
import { type SeenTestCall, useTestCallsSeen } from './useTestCallsSeen'
import { VoiceNumberDetails } from './VoiceNumberDetails'
import type { VoiceSettingsCardProps, VoiceSettingsCardShared } from './VoiceSettingsCard'
import { type VoiceSettingsCardLabels, voiceSettingsCardLabels } from './voiceSettingsCardLabels'

const STAGES: ConnectStage[] = ['account', 'provisioning', 'checking', 'done']
const EMPTY: TwilioCredentialsRequest = { accountSid: '', apiKeySid: '', apiKeySecret: '' }

/** The card's props with its texts merged over the defaults. */
type Props = BodyProps<VoiceSettingsCardProps, VoiceSettingsCardLabels>

type CardStatus = keyof VoiceSettingsCardLabels['status']

let shared: VoiceSettingsCardShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadVoiceSettingsCardBody(given: VoiceSettingsCardShared): typeof VoiceSettingsCardBody {
  shared = given
  return VoiceSettingsCardBody
}

/** The body of {@link VoiceSettingsCard}, loaded with import() on its first render. */
export function VoiceSettingsCardBody({
  labels: overrides,
  ...rest
}: OverridesBodyProps<VoiceSettingsCardProps, VoiceSettingsCardLabels>) {
  const props: Props = { ...rest, labels: shared.useDefaultLabels(voiceSettingsCardLabels, overrides) }
  const { onboarding, client, api } = props
  if (onboarding) return <VoiceSettingsCardView {...props} onboarding={onboarding} />
  return <VoiceSettingsCardWithHook {...props} client={client} api={api} />
}

function VoiceSettingsCardWithHook(props: Props) {
  const onboarding = shared.useTwilioOnboarding({
    ...(props.client ? { client: props.client } : {}),
    ...(props.api ? { api: props.api } : {}),
  })
  return <VoiceSettingsCardView {...props} onboarding={onboarding} />
}

function VoiceSettingsCardView({
  onboarding: o,
  labels,
  defaultCountry = 'US',
  onConnected,
  className,
  client,
  api: _api,
  ...rest
}: Props & { onboarding: TwilioOnboardingResult }) {
  const formatNumber = usePhoneNumberFormat()
  const errorText = shared.useErrorText()
  const [form, setForm] = useState<TwilioCredentialsRequest>(EMPTY)
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof TwilioCredentialsRequest, string>>>({})
  const [selected, setSelected] = useState<string | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)
  const [confirmRemove, setConfirmRemove] = useState(false)
  const id = useId()

  const connectedNumbers = o.numbers.filter(
    (n) => n.connected || o.connections[n.sid]?.status === 'connected',
  )
  const latest = useRef(o)
  latest.current = o
  const quiet = useQuietStatusReads(
    latest,
    connectedNumbers
      .map((n) => n.sid)
      .sort()
      .join(','),
  )
  // Each inbound call to a connected number: read its status again so "last call seen" stays current.
  const onInbound = (call: SeenTestCall) => {
    const sid = latest.current.numbers.find((n) => n.e164 === call.number)?.sid
    if (sid) quiet(sid)
  }
  const testCalls = useTestCallsSeen(
    client,
    connectedNumbers.map((n) => n.e164),
    onInbound,
  )
  const attention = Object.values(o.connections).some((c) => c.status === 'partial' || c.status === 'drift')
  const status: CardStatus =
    o.step === 'loading'
      ? 'loading'
      : attention
        ? 'attention'
        : o.step === 'connected'
          ? 'connected'
          : o.step === 'numbers'
            ? 'credentials-saved'
            : 'not-connected'
  const busy = o.pending !== null
  const problem = o.error
    ? (labels.errors[o.error.code] ?? {
        ...labels.unknownError,
        message: errorText(o.error, undefined, labels.unknownError.message),
      })
    : null

  const validate = (): TwilioCredentialsRequest | null => {
    const creds: TwilioCredentialsRequest = {
      accountSid: form.accountSid.trim(),
      apiKeySid: form.apiKeySid.trim(),
      apiKeySecret: form.apiKeySecret.trim(),
    }
    const problems = Object.keys(
      shared.twilioCredentialsProblems(creds),
    ) as (keyof TwilioCredentialsRequest)[]
    if (problems.length === 0) {
      setFieldErrors({})
      return creds
    }
    const errors: Partial<Record<keyof TwilioCredentialsRequest, string>> = {}
    for (const key of problems) errors[key] = labels.fieldErrors[key]
    setFieldErrors(errors)
    return null
  }
  const onVerify = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const creds = validate()
    if (creds) void o.verify(creds)
  }
  const onSave = async () => {
    const creds = validate()
    if (creds && (await o.save(creds))) setForm(EMPTY)
  }
  const onConnect = async () => {
    if (!selected) return
    const result = (await o.connect(selected)) as NumberConnection | null
    if (result?.status === 'connected') onConnected?.(selected)
  }

  const field = (key: keyof TwilioCredentialsRequest, label: string, hint: string, secret = false) => (
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

  const progress = o.connectProgress
  const progressNumber = progress ? o.numbers.find((n) => n.sid === progress.sid) : undefined
  const announce = progress
    ? `${labels.stages[progress.stage]} ${progress.progress}%`
    : o.credentials === 'verified'
      ? labels.verified
      : ''

  return (
    <section
      className={cx('rl-voice-settings', className)}
      aria-labelledby={`${id}-title`}
      data-state={o.step satisfies TwilioOnboardingStep}
      data-status={status}
      aria-busy={busy || undefined}
      {...rest}
    >
      <LiveRegion message={announce} />
      <header className="rl-voice-settings-header">
        <h2 id={`${id}-title`} className="rl-voice-settings-title">
          {labels.title}
        </h2>
        <span className="rl-badge" data-status={status}>
          {labels.status[status]}
        </span>
        <p className="rl-hint">{labels.description}</p>
      </header>

      {problem ? (
        <div className="rl-problem" role="alert" data-code={o.error?.code}>
          <shared.AlertIcon />
          <div>
            <p className="rl-problem-message">{problem.message}</p>
            <p className="rl-problem-fix">{problem.fix}</p>
          </div>
          <button type="button" className="rl-button" onClick={() => o.dismissError()}>
            {labels.dismiss}
          </button>
        </div>
      ) : null}

      {o.step === 'credentials' ? (
        <form className="rl-voice-credentials" aria-label={labels.credentials} onSubmit={onVerify} noValidate>
          {field('accountSid', labels.accountSid, labels.accountSidHint)}
          {field('apiKeySid', labels.apiKeySid, labels.apiKeySidHint)}
          {field('apiKeySecret', labels.apiKeySecret, labels.apiKeySecretHint, true)}
          <div className="rl-actions">
            <button type="submit" className="rl-button" disabled={busy}>
              {o.pending === 'verifying' ? labels.verifying : labels.verify}
            </button>
            <button
              type="button"
              className="rl-button"
              data-variant="primary"
              disabled={busy || o.credentials !== 'verified'}
              onClick={() => void onSave()}
            >
              {o.pending === 'saving' ? labels.saving : labels.save}
            </button>
          </div>
          {o.credentials === 'verified' ? (
            <p className="rl-success">
              <shared.CheckIcon /> {labels.verified}
            </p>
          ) : null}
        </form>
      ) : null}

      {o.step === 'numbers' || o.step === 'connected' ? (
        <div className="rl-voice-numbers">
          {o.integration ? (
            <p className="rl-hint">
              {labels.savedAs(o.integration.accountSid, o.integration.apiKeySecretMasked)}
            </p>
          ) : null}
          <fieldset disabled={busy}>
            <legend>{labels.numbers}</legend>
            {o.numbers.length === 0 ? <p className="rl-hint">{labels.noNumbers}</p> : null}
            {o.numbers.map((n) => {
              const connection = o.connections[n.sid]
              const isConnected = n.connected || connection?.status === 'connected'
              return (
                <div key={n.sid} className="rl-voice-number" data-connected={isConnected ? '' : undefined}>
                  <input
                    type="radio"
                    id={`${id}-n-${n.sid}`}
                    name={`${id}-number`}
                    value={n.sid}
                    checked={selected === n.sid}
                    disabled={!n.voiceCapable}
                    onChange={() => setSelected(n.sid)}
                  />
                  <label htmlFor={`${id}-n-${n.sid}`}>
                    <span dir="ltr">{formatNumber(n.e164, defaultCountry)}</span>{' '}
                    <span className="rl-hint">{n.friendlyName}</span>
                  </label>
                  {!n.voiceCapable ? (
                    <span className="rl-badge" data-status="disabled">
                      {labels.notVoiceCapable}
                    </span>
                  ) : connection ? (
                    <span className="rl-badge" data-status={connection.status}>
                      {labels.connectionStatus[connection.status]}
                    </span>
                  ) : isConnected ? (
                    <span className="rl-badge" data-status="connected">
                      {labels.connectedBadge}
                    </span>
                  ) : null}
                  {(connection && connection.status !== 'disconnected') ||
                  (isConnected && o.statusProblems[n.sid]) ? (
                    <VoiceNumberDetails
                      connection={connection ?? null}
                      problem={o.statusProblems[n.sid] ? labels.statusReadFailed : null}
                      seen={testCalls.inbound?.number === n.e164 ? testCalls.inbound : null}
                      labels={labels}
                      formatNumber={(e164) => formatNumber(e164, defaultCountry)}
                      shared={shared}
                    />
                  ) : null}
                  {connection?.drift.length ? (
                    <ul className="rl-voice-drift">
                      {connection.drift.map((d) => (
                        <li key={d}>{d}</li>
                      ))}
                    </ul>
                  ) : null}
                  {isConnected || connection ? (
                    <span className="rl-voice-number-actions">
                      <button type="button" className="rl-button" onClick={() => void o.refreshStatus(n.sid)}>
                        {labels.checkStatus}
                      </button>
                      {isConnected || connection?.status === 'partial' || connection?.status === 'drift' ? (
                        <button
                          type="button"
                          className="rl-button"
                          data-variant="danger"
                          onClick={() => setConfirming(n.sid)}
                        >
                          {labels.disconnect}
                        </button>
                      ) : null}
                    </span>
                  ) : null}
                </div>
              )
            })}
          </fieldset>
          <div className="rl-actions">
            <button
              type="button"
              className="rl-button"
              data-variant="primary"
              disabled={busy || !selected || connectedNumbers.some((n) => n.sid === selected)}
              onClick={() => void onConnect()}
            >
              {o.pending === 'connecting' ? labels.connecting : labels.connect}
            </button>
            <button type="button" className="rl-button" disabled={busy} onClick={() => void o.listNumbers()}>
              {labels.refreshNumbers}
            </button>
            <button
              type="button"
              className="rl-button"
              disabled={busy}
              onClick={() => setConfirmRemove(true)}
            >
              {labels.removeCredentials}
            </button>
          </div>
          {confirmRemove ? (
            <ConfirmDialog
              title={labels.removeConfirm}
              cancelLabel={labels.cancel}
              confirmLabel={labels.removeCredentials}
              onCancel={() => setConfirmRemove(false)}
              onConfirm={() => {
                setConfirmRemove(false)
                void o.removeCredentials()
              }}
            />
          ) : null}
        </div>
      ) : null}

      {progress ? (
        <div className="rl-voice-progress" data-state={progress.failed ? 'failed' : progress.stage}>
          <div
            role="progressbar"
            aria-label={labels.connectProgress(
              progressNumber ? formatNumber(progressNumber.e164, defaultCountry) : progress.sid,
            )}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress.progress}
            aria-valuetext={`${progress.progress}% – ${labels.stages[progress.stage]}`}
            className="rl-progress"
            style={{ ['--rl-progress' as string]: `${progress.progress}%` }}
          >
            <span className="rl-progress-bar" />
          </div>
          <ol className="rl-steps">
            {STAGES.map((stage) => {
              const index = STAGES.indexOf(stage)
              const currentIndex = STAGES.indexOf(progress.stage)
              const state =
                index < currentIndex || (stage === 'done' && progress.stage === 'done')
                  ? 'done'
                  : index === currentIndex
                    ? progress.failed
                      ? 'failed'
                      : 'current'
                    : 'pending'
              return (
                <li key={stage} data-state={state} aria-current={state === 'current' ? 'step' : undefined}>
                  {state === 'done' ? <shared.CheckIcon /> : state === 'failed' ? <shared.AlertIcon /> : null}
                  <span>{labels.stages[stage]}</span>
                </li>
              )
            })}
          </ol>
        </div>
      ) : null}

      {confirming ? (
        <ConfirmDialog
          title={labels.disconnectTitle(
            formatNumber(o.numbers.find((n) => n.sid === confirming)?.e164 ?? confirming, defaultCountry),
          )}
          description={labels.disconnectBody}
          cancelLabel={labels.cancel}
          confirmLabel={labels.confirmDisconnect}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const sid = confirming
            setConfirming(null)
            void o.disconnect(sid)
          }}
        />
      ) : null}

      {o.step !== 'loading' ? (
        <div className="rl-checklist">
          <p className="rl-checklist-title" id={`${id}-checklist`}>
            {labels.checklist}
          </p>
          <ul aria-labelledby={`${id}-checklist`}>
            <li data-state={o.credentials === 'saved' ? 'done' : 'pending'}>
              <input type="checkbox" id={`${id}-c1`} checked={o.credentials === 'saved'} readOnly disabled />
              <label htmlFor={`${id}-c1`}>{labels.checks.credentials}</label>
            </li>
            <li data-state={connectedNumbers.length > 0 ? 'done' : 'pending'}>
              <input
                type="checkbox"
                id={`${id}-c2`}
                checked={connectedNumbers.length > 0}
                readOnly
                disabled
              />
              <label htmlFor={`${id}-c2`}>{labels.checks.number}</label>
            </li>
            {(['inbound', 'outbound'] as const).map((key) => (
              <li key={key} data-state={testCalls[key] ? 'done' : 'pending'}>
                <input type="checkbox" id={`${id}-c-${key}`} checked={!!testCalls[key]} readOnly disabled />
                <label htmlFor={`${id}-c-${key}`}>{labels.checks[key]}</label>
              </li>
            ))}
          </ul>
          {connectedNumbers.length > 0 && !(testCalls.inbound && testCalls.outbound) ? (
            <p className="rl-hint">{labels.waitingForTestCall}</p>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

/**
 * Quiet status reads for the connected numbers (`connectedKey`: their SIDs, comma-separated): each once per mount,
 * so their details show without a click, skipping a number whose status was read since mount (connect, "Check
 * status"). No busy state, no banner; deduplicated by the observer; cancelled on unmount. Returns a quiet re-read.
 */
function useQuietStatusReads(
  onboarding: { readonly current: TwilioOnboardingResult },
  connectedKey: string,
): (sid: string) => void {
  const reads = useRef<{
    signal: AbortSignal
    asked: Set<string>
    atMount: Readonly<Record<string, NumberConnection>>
  } | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    reads.current = { signal: controller.signal, asked: new Set(), atMount: onboarding.current.connections }
    return () => {
      controller.abort()
      reads.current = null
    }
  }, [onboarding])
  useEffect(() => {
    const r = reads.current
    if (!r || !connectedKey) return
    for (const sid of connectedKey.split(',')) {
      if (r.asked.has(sid)) continue
      r.asked.add(sid)
      const known = onboarding.current.connections[sid]
      if (known && known !== r.atMount[sid]) continue
      void onboarding.current.readStatus(sid, r.signal)
    }
  }, [onboarding, connectedKey])
  return (sid) => {
    const r = reads.current
    if (r) void onboarding.current.readStatus(sid, r.signal)
  }
}
