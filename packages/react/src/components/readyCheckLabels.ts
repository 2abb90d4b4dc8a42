// The default texts of ReadyCheck; they load with its body (overridable through its `labels` prop).
import type { ReadyCheckLabels } from './ReadyCheck'

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
