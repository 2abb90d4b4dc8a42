// "Ready to take calls?": a pre-call check a person can run (and re-run) before their first call. Each step says
// what it found and, when something is wrong, what to do about it; the verdict sums them up with its reasons.
//
//   permission  the microphone may be used (asks once if the browser has not been told yet)
//   microphone  the chosen input produces signal: its level is over `level` for `holdMs` in all (speech and beeps
//               come in bursts, so the time adds up across gaps) within `signalTimeoutMs`
//   speaker     a test tone plays (the browser lets this page play sound); the person confirms by ear
//   connection  the configured LiveKit server is reachable: a token from the server (the `/token` route's
//               `joinRoom`), connect, publish the microphone, and the media round trip the server reports back
//
// Nothing here runs on import; only what a step needs is touched (livekit-client is loaded by the connection step).
//
// This file holds the types and the small helpers; the check itself (readyCheckRun.ts) is loaded on first use, so
// apps that never run it do not ship it.
import { systemClock } from './clock'
import type { MediaDevicesLike, PermissionsLike } from './deviceManager'
import type { LivekitModuleLike, RoomLike } from './livekitTransport'
import { microphoneError, microphoneStateOf } from './microphoneError'
import { microphoneHelp } from './microphoneHelp'
import type { LevelMeterFactory } from './mutedSpeech'
import type { Connection } from './protocol'
import { toRinglineError } from './ringlineError'
import type { SoundManager } from './soundManager'
import type { Clock, MicrophonePermission } from './types'

/** A step of the ready check. */
export type ReadinessStepName = 'permission' | 'microphone' | 'speaker' | 'connection'

/** Where a step stands: `warning` works but is worth fixing; `failed` stops calls from working. */
export type ReadinessStepState = 'pending' | 'running' | 'passed' | 'warning' | 'failed' | 'skipped'

/** One step's state, what it found, and the fix when there is one. */
export interface ReadinessStep {
  name: ReadinessStepName
  state: ReadinessStepState
  /** What the step found, in words for the person at the computer. */
  message: string
  /** What to do about it; null when nothing is needed. */
  fix: string | null
}

/** The sum of the steps: `ready`, `degraded` (calls work, something is off), `not-ready`; `checking` while running. */
export type ReadinessVerdict = 'checking' | 'ready' | 'degraded' | 'not-ready'

/** The result of `checkReadiness()`, also passed to `onUpdate` as it fills in. */
export interface ReadinessReport {
  verdict: ReadinessVerdict
  /** The steps, in the order they run. */
  steps: readonly ReadinessStep[]
  /** The messages of the steps that failed or warned, worst first. */
  reasons: readonly string[]
  /** The microphone permission found. */
  permission: MicrophonePermission
  /** The latest microphone level, 0–1 RMS (for a meter); 0 when not measuring. */
  level: number
  /** Timings of the connection test in ms; null where not measured. */
  connection: { connectMs: number | null; publishMs: number | null; rttMs: number | null }
}

/** The parts of a LiveKit connection test the check needs; tests inject a fake room. */
export interface ReadinessLivekitOptions {
  /** The livekit-client module, or a loader; default `import('livekit-client')`. */
  livekit?: LivekitModuleLike | (() => Promise<LivekitModuleLike>)
  /** Make the room (tests inject a `FakeRoom`). Default `new Room()`. */
  createRoom?: (livekit: LivekitModuleLike) => RoomLike
}

/**
 * The server side of the connection test; `client.api` fits. `readyCheckConnection` (`POST /ready-check`) gives a
 * private test room that leaves no call record; a named `roomName`, or an API without it, joins that internal room
 * with `joinRoom` and ends it after (that room is recorded like any other).
 */
export interface ReadinessApi {
  readyCheckConnection?(): Promise<{ connection: Connection }>
  joinRoom?(name: string, body?: { displayName?: string }): Promise<{ connection: Connection }>
  endRoom?(name: string): Promise<unknown>
}

/** Options of `checkReadiness`. Every browser API is an injectable seam with a browser default. */
export interface CheckReadinessOptions {
  /** The Ringline API (`client.api`); without it the connection step is skipped. */
  api?: ReadinessApi | null
  /** Sounds for the test tone (`client.sounds`); without it the speaker step is skipped. */
  sounds?: Pick<SoundManager, 'playTestTone' | 'readiness'> | null
  /** The input to test (a `deviceId`); default the system default. */
  deviceId?: string | null
  /** Which steps to run; default all four. */
  steps?: readonly ReadinessStepName[]
  /** Default `navigator.mediaDevices`. */
  mediaDevices?: MediaDevicesLike | null
  /** Default `navigator.permissions`. */
  permissions?: PermissionsLike | null
  /** Level meter of the microphone step; default Web Audio. */
  meter?: LevelMeterFactory
  livekit?: ReadinessLivekitOptions
  /**
   * An internal room for the connection test to join (and end after) instead of the server's private test room
   * (`POST /ready-check`, the default, which leaves no call record).
   */
  roomName?: string
  /** RMS level counted as signal (default 0.01, about -40 dBFS). */
  level?: number
  /** How long, added up, the level must be over `level` (default 150 ms; a single click does not count). */
  holdMs?: number
  /** How long to wait for signal before failing (default 6000 ms). */
  signalTimeoutMs?: number
  /** How long the connection test may take (default 15000 ms). */
  connectTimeoutMs?: number
  /** How long to wait for the media round trip after publishing (default 4000 ms). */
  rttWaitMs?: number
  /** A round trip over this is a warning (default 400 ms). */
  rttWarnMs?: number
  clock?: Clock
  /** Called whenever the report changes (steps, level). */
  onUpdate?(report: ReadinessReport): void
  /** Aborting stops the check; it resolves with what it had. */
  signal?: AbortSignal
}

export const READINESS_STEPS: readonly ReadinessStepName[] = [
  'permission',
  'microphone',
  'speaker',
  'connection',
]

/** The verdict of a set of steps (see `ReadinessVerdict`). */
export function readinessVerdict(steps: readonly ReadinessStep[]): ReadinessVerdict {
  if (steps.some((s) => s.state === 'failed')) return 'not-ready'
  if (steps.some((s) => s.state === 'pending' || s.state === 'running')) return 'checking'
  if (steps.some((s) => s.state === 'warning')) return 'degraded'
  return 'ready'
}

const PENDING_TEXT: Record<ReadinessStepName, string> = {
  permission: 'Microphone access',
  microphone: 'Microphone signal',
  speaker: 'Speaker test tone',
  connection: 'Connection to the call server',
}

/** The report before anything ran. */
export function initialReadinessReport(
  steps: readonly ReadinessStepName[] = READINESS_STEPS,
): ReadinessReport {
  const list = READINESS_STEPS.filter((n) => steps.includes(n)).map(
    (name): ReadinessStep => ({ name, state: 'pending', message: PENDING_TEXT[name], fix: null }),
  )
  return {
    verdict: list.length ? 'checking' : 'ready',
    steps: list,
    reasons: [],
    permission: 'unknown',
    level: 0,
    connection: { connectMs: null, publishMs: null, rttMs: null },
  }
}

/**
 * Check that this browser is ready to take calls: microphone permission, a microphone that produces signal, sound
 * output, and a LiveKit connection to the configured server. Resolves with a verdict and its reasons; `onUpdate`
 * follows the progress (and the live microphone level). Run it from a click so the test tone may play. The check's
 * code is loaded on first call.
 */
export async function checkReadiness(options: CheckReadinessOptions = {}): Promise<ReadinessReport> {
  const { runReadinessCheck } = await import('./readyCheckRun')
  return runReadinessCheck(options, {
    systemClock,
    microphoneError,
    microphoneStateOf,
    microphoneHelp,
    toRinglineError,
    initialReadinessReport,
    readinessVerdict,
    steps: READINESS_STEPS,
  })
}
