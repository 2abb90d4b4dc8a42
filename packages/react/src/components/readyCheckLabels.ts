// The texts of ReadyCheck, overridable through its `labels` prop (apart from the component so the lazily loaded
// check does not carry them twice).
import type {
  MicrophonePermission,
  ReadinessStepName,
  ReadinessStepState,
  ReadinessVerdict,
} from '@ringline/core'

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
