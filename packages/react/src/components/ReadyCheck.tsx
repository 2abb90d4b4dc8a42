'use client'
import type {
  CheckReadinessOptions,
  MicrophonePermission,
  ReadinessReport,
  ReadinessStepName,
  ReadinessStepState,
  ReadinessVerdict,
} from '@ringline/core'
import { checkReadiness, initialReadinessReport, microphoneHelp } from '@ringline/core'
import type { HTMLAttributes } from 'react'
import { useDevices } from '../hooks/useDevices'
import { CheckIcon, SpeakerIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useIsClient } from '../internal/useIsClient'
import { useLabelOverrides } from '../messages'
import { useRinglineApi } from '../RinglineProvider'
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

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = {
  useDefaultLabels,
  checkReadiness,
  initialReadinessReport,
  microphoneHelp,
  useDevices,
  CheckIcon,
  SpeakerIcon,
  useRinglineApi,
  DeviceSelect,
  useIsClient,
}
/** What {@link ReadyCheck}'s body gets from its shell. Internal. */
export type ReadyCheckShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./ReadyCheckBody').then((m) => m.loadReadyCheckBody(shared)),
)

/**
 * A pre-call check as a card: microphone access, microphone signal (with a level meter), a test sound, the call
 * server connection, each with its state and fix, and a verdict with reasons. Its body loads on first render (a busy
 * placeholder meanwhile); `ReadyCheck.preload()` fetches it ahead.
 */
export const ReadyCheck = /* @__PURE__ */ withPreload(function ReadyCheck(props: ReadyCheckProps) {
  // The default texts load with the body; the placeholder needs only its name.
  const labels = useLabelOverrides('readyCheck', props.labels)
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="section"
      rootClass="rl-ready-check"
      className={props.className}
      label={labels.title ?? 'Ready to take calls?'}
      style={props.style}
    />,
  )
}, body)
