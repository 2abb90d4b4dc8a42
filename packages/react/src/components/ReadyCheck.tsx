'use client'
import {
  type CheckReadinessOptions,
  checkReadiness,
  initialReadinessReport,
  type MicrophonePermission,
  microphoneHelp,
  type ReadinessReport,
  type ReadinessStepName,
  type ReadinessStepState,
  type ReadinessVerdict,
} from '@ringline/core'
import { type HTMLAttributes, useEffect, useId, useRef, useState } from 'react'
import { useDevices } from '../hooks/useDevices'
import { cx } from '../internal/cx'
import { CheckIcon, SpeakerIcon } from '../internal/icons'
import { useIsClient } from '../internal/useIsClient'
import { useLabels } from '../messages'
import { useRingline, useRinglineApi } from '../RinglineProvider'
import type { CallClientLike } from '../types'
import { DeviceSelect } from './DeviceSelect'

/** Every text of ReadyCheck. */
export interface ReadyCheckLabels {
  title: string
  /** Shown before the first run. */
  intro: string
  run: string
  rerun: string
  running: string
  steps: Record<ReadinessStepName, string>
  states: Record<ReadinessStepState, string>
  verdicts: Record<ReadinessVerdict, string>
  /** Before the first run. */
  idle: string
  fix: string
  level: string
  playTestSound: string
  testSoundPlayed: string
  testSoundBlocked: string
  microphone: string
  speaker: string
  /** The microphone permission as it stands before a run (the permission step shows it). */
  permission: Record<MicrophonePermission, string>
}

/** Default English texts of ReadyCheck. */
export const readyCheckLabels: ReadyCheckLabels = {
  title: 'Ready to take calls?',
  intro: 'Check your microphone, sound and connection before your first call. It takes about ten seconds.',
  run: 'Run the check',
  rerun: 'Check again',
  running: 'Checking…',
  steps: {
    permission: 'Microphone access',
    microphone: 'Microphone signal',
    speaker: 'Sound output',
    connection: 'Call server connection',
  },
  states: {
    pending: 'Not checked yet',
    running: 'Checking',
    passed: 'OK',
    warning: 'Works, with a problem',
    failed: 'Problem',
    skipped: 'Skipped',
  },
  verdicts: {
    checking: 'Checking…',
    ready: 'Ready to take calls.',
    degraded: 'Calls will work, but something needs attention.',
    'not-ready': 'Not ready for calls yet.',
  },
  idle: 'Not checked yet.',
  fix: 'Fix',
  level: 'Microphone level',
  playTestSound: 'Play test sound',
  testSoundPlayed: 'Playing a test tone. Did you hear it?',
  testSoundBlocked: 'The browser blocked the test sound. Click again.',
  microphone: 'Microphone',
  speaker: 'Speaker',
  permission: {
    unknown: 'Not checked yet.',
    prompt: 'Not allowed yet: your browser will ask.',
    granted: 'The microphone is allowed.',
    denied: 'Microphone access is blocked for this site.',
    'blocked-by-policy': 'This page may not use a microphone.',
    'no-device': 'No microphone was found.',
    'in-use': 'The microphone is in use by another app or cannot be read.',
  },
}

const PERMISSION_STATE: Record<MicrophonePermission, ReadinessStepState> = {
  unknown: 'pending',
  prompt: 'pending',
  granted: 'passed',
  denied: 'failed',
  'blocked-by-policy': 'failed',
  'no-device': 'failed',
  'in-use': 'failed',
}

/** Props of {@link ReadyCheck}. */
export interface ReadyCheckProps extends Omit<HTMLAttributes<HTMLElement>, 'children'> {
  /** Use this client instead of the provider's (its `api`, `sounds` and selected microphone are used). */
  client?: CallClientLike
  /** Text overrides (nested records merge key by key). */
  labels?: Partial<{ [K in keyof ReadyCheckLabels]: Partial<ReadyCheckLabels[K]> | ReadyCheckLabels[K] }>
  /** Run the check once on mount (no click: the test tone may be blocked). Default false. */
  autoStart?: boolean
  /** Which steps to run; default all. */
  steps?: CheckReadinessOptions['steps']
  /** More options of `checkReadiness` (thresholds, room name, LiveKit fakes). */
  checkOptions?: Partial<CheckReadinessOptions>
  /** Show this report (stories, or a result kept from earlier) until the check runs. */
  report?: ReadinessReport
  /** Show the microphone and speaker pickers. Default true. */
  showDevices?: boolean
  /** The check to run; default core's `checkReadiness` (tests and stories inject one). */
  check?: (options: CheckReadinessOptions) => Promise<ReadinessReport>
  /** Called with the final report of each run. */
  onComplete?: (report: ReadinessReport) => void
}

/**
 * A pre-call check as a card: microphone access, microphone signal (with a level meter), a test sound, the call
 * server connection, each with its state and fix, and a verdict with reasons.
 */
export function ReadyCheck({
  client,
  labels: labelsProp,
  autoStart = false,
  steps,
  checkOptions,
  report: reportProp,
  showDevices = true,
  check = checkReadiness,
  onComplete,
  className,
  ...rest
}: ReadyCheckProps) {
  const labels = useLabels('readyCheck', readyCheckLabels, labelsProp)
  const resolved = useRingline(client)
  const api = useRinglineApi(resolved)
  const devices = useDevices({ client: resolved })
  // Whether the output can be chosen is known in the browser only: the speaker picker appears after hydration.
  const isClient = useIsClient()
  const [report, setReport] = useState<ReadinessReport | null>(reportProp ?? null)
  const [running, setRunning] = useState(false)
  const [tone, setTone] = useState<'played' | 'blocked' | null>(null)
  const abortRef = useRef<AbortController | null>(null)
  const id = useId()
  // Before a run, the permission step shows the microphone permission as it stands (it follows changes).
  const shown = report ?? withPermission(initialReadinessReport(steps), devices.permission, labels)

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
          <DeviceSelect kind="audioinput" client={resolved} label={labels.microphone} />
          {isClient && devices.canSelectOutput ? (
            <DeviceSelect kind="audiooutput" client={resolved} label={labels.speaker} />
          ) : null}
        </div>
      ) : null}
      <ol className="rl-ready-steps">
        {shown.steps.map((step) => (
          <li key={step.name} className="rl-ready-step" data-step={step.name} data-state={step.state}>
            <span className="rl-ready-step-mark" aria-hidden="true">
              {step.state === 'passed' ? <CheckIcon /> : MARKS[step.state]}
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
                  <SpeakerIcon />
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
            fix: microphoneHelp(permission),
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
