'use client'
import type { MicrophonePermission, ReadinessReport, ReadinessStepState } from '@ringline/core'
import { useEffect, useId, useRef, useState } from 'react'
import { cx } from '../internal/cx'
import type { OverridesBodyProps } from '../internal/lazyBody'
import { useRingline } from '../RinglineProvider'
import type { ReadyCheckLabels, ReadyCheckProps, ReadyCheckShared } from './ReadyCheck'
import { readyCheckLabels } from './readyCheckLabels'

const PERMISSION_STATE: Record<MicrophonePermission, ReadinessStepState> = {
  unknown: 'pending',
  prompt: 'pending',
  granted: 'passed',
  denied: 'failed',
  'blocked-by-policy': 'failed',
  'no-device': 'failed',
  'in-use': 'failed',
}

let shared: ReadyCheckShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadReadyCheckBody(given: ReadyCheckShared): typeof ReadyCheckBody {
  shared = given
  return ReadyCheckBody
}

/** The body of {@link ReadyCheck}, loaded with import() on its first render. */
export function ReadyCheckBody({
  client,
  labels: overrides,
  autoStart = false,
  steps,
  checkOptions,
  report: reportProp,
  showDevices = true,
  check = shared.checkReadiness,
  onComplete,
  className,
  ...rest
}: OverridesBodyProps<ReadyCheckProps, ReadyCheckLabels>) {
  const labels = shared.useDefaultLabels(readyCheckLabels, overrides)
  const resolved = useRingline(client)
  const api = shared.useRinglineApi(resolved)
  const devices = shared.useDevices({ client: resolved })
  // Whether the output can be chosen is known in the browser only: the speaker picker appears after hydration.
  const isClient = shared.useIsClient()
  const [report, setReport] = useState<ReadinessReport | null>(reportProp ?? null)
  const [running, setRunning] = useState(false)
  const [tone, setTone] = useState<'played' | 'blocked' | null>(null)
  const abortRef = useRef<AbortController | null>(null)
  const id = useId()
  // Before a run, the permission step shows the microphone permission as it stands (it follows changes).
  const shown = report ?? withPermission(shared.initialReadinessReport(steps), devices.permission, labels)

  const run = async () => {
    abortRef.current?.abort()
    const controller = new AbortController()
    abortRef.current = controller
    setRunning(true)
    setTone(null)
    // The click that started the check may also unblock sound for the test tone.
    void Promise.resolve(resolved.enableSound?.()).catch(() => undefined)
    try {
      const final = await check({
        api,
        sounds: resolved.sounds ?? null,
        deviceId: devices.selected.audioinput,
        ...(steps ? { steps } : {}),
        ...checkOptions,
        signal: controller.signal,
        onUpdate: (next) => {
          if (!controller.signal.aborted) setReport(next)
        },
      })
      if (controller.signal.aborted) return
      setReport(final)
      onComplete?.(final)
    } finally {
      if (abortRef.current === controller) {
        abortRef.current = null
        setRunning(false)
      }
    }
  }

  const runRef = useRef(run)
  runRef.current = run
  useEffect(() => {
    if (autoStart) void runRef.current()
    return () => abortRef.current?.abort()
  }, [autoStart])

  const playTestSound = async () => {
    await Promise.resolve(resolved.enableSound?.()).catch(() => undefined)
    const played = (await resolved.sounds?.playTestTone?.()) ?? false
    setTone(played ? 'played' : 'blocked')
  }

  const started = report !== null
  const verdict = started ? shown.verdict : null
  const micStep = shown.steps.find((s) => s.name === 'microphone')
  return (
    <section
      className={cx('rl-ready-check', className)}
      data-state={verdict ?? 'idle'}
      aria-labelledby={`${id}-title`}
      aria-busy={running || undefined}
      {...rest}
    >
      <p className="rl-ready-title" id={`${id}-title`}>
        {labels.title}
      </p>
      {!started ? <p className="rl-ready-intro">{labels.intro}</p> : null}
      {showDevices ? (
        <div className="rl-ready-devices">
          <shared.DeviceSelect kind="audioinput" client={resolved} label={labels.microphone} />
          {isClient && devices.canSelectOutput ? (
            <shared.DeviceSelect kind="audiooutput" client={resolved} label={labels.speaker} />
          ) : null}
        </div>
      ) : null}
      <ol className="rl-ready-steps">
        {shown.steps.map((step) => (
          <li key={step.name} className="rl-ready-step" data-step={step.name} data-state={step.state}>
            <span className="rl-ready-step-mark" aria-hidden="true">
              {step.state === 'passed' ? <shared.CheckIcon /> : MARKS[step.state]}
            </span>
            <span className="rl-ready-step-title">{labels.steps[step.name]}</span>
            <span className="rl-ready-step-state">{labels.states[step.state]}</span>
            {(started ? step.state !== 'pending' : step.name === 'permission') ? (
              <p className="rl-ready-step-message">{step.message}</p>
            ) : null}
            {step.fix && step.state !== 'passed' && step.state !== 'running' ? (
              <p className="rl-ready-step-fix">
                <strong>{labels.fix}:</strong> {step.fix}
              </p>
            ) : null}
            {step.name === 'microphone' ? (
              <meter
                className="rl-ready-meter"
                aria-label={labels.level}
                min={0}
                max={0.3}
                low={0.01}
                optimum={0.1}
                value={micStep?.state === 'running' ? Math.min(shown.level, 0.3) : 0}
              />
            ) : null}
            {step.name === 'speaker' ? (
              <span className="rl-ready-tone">
                <button type="button" className="rl-button" onClick={() => void playTestSound()}>
                  <shared.SpeakerIcon />
                  <span>{labels.playTestSound}</span>
                </button>
                {tone ? (
                  <span className="rl-ready-tone-result" data-state={tone}>
                    {tone === 'played' ? labels.testSoundPlayed : labels.testSoundBlocked}
                  </span>
                ) : null}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      <div className="rl-ready-verdict" role="status" data-state={verdict ?? 'idle'}>
        <p className="rl-ready-verdict-text">{verdict ? labels.verdicts[verdict] : labels.idle}</p>
        {verdict && verdict !== 'checking' && shown.reasons.length > 0 ? (
          <ul className="rl-ready-reasons">
            {shown.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <button
        type="button"
        className="rl-button"
        data-variant="primary"
        disabled={running}
        onClick={() => void run()}
      >
        {running ? labels.running : started ? labels.rerun : labels.run}
      </button>
    </section>
  )
}

function withPermission(
  report: ReadinessReport,
  permission: MicrophonePermission,
  labels: ReadyCheckLabels,
): ReadinessReport {
  return {
    ...report,
    permission,
    steps: report.steps.map((step) =>
      step.name === 'permission'
        ? {
            ...step,
            state: PERMISSION_STATE[permission],
            message: labels.permission[permission],
            fix: shared.microphoneHelp(permission),
          }
        : step,
    ),
  }
}

const MARKS: Record<ReadinessStepState, string> = {
  pending: '·',
  running: '…',
  passed: '✓',
  warning: '!',
  failed: '✕',
  skipped: '–',
}
