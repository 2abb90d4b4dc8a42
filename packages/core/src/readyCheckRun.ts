// The ready check itself, loaded on first use by `checkReadiness()` (see readyCheck.ts for the steps). It imports
// no runtime code of its own: what it shares with the rest of core comes in `deps`, so a bundler that splits the
// lazy chunk out needs no chunk shared with the eager code.
import type { MediaDevicesLike, PermissionsLike } from './deviceManager'
import type { LivekitModuleLike, RoomLike } from './livekitTransport'
import type { microphoneError, microphoneStateOf } from './microphoneError'
import type { microphoneHelp } from './microphoneHelp'
import { type LevelMeterFactory, webAudioLevelMeter } from './mutedSpeech'
import type {
  CheckReadinessOptions,
  initialReadinessReport,
  ReadinessApi,
  ReadinessLivekitOptions,
  ReadinessReport,
  ReadinessStepName,
  ReadinessStepState,
  readinessVerdict,
} from './readyCheck'
import type { toRinglineError } from './ringlineError'
import type { Clock, MicrophonePermission } from './types'

/** The parts of core the check uses, handed over by `checkReadiness()`. */
export interface ReadinessDeps {
  systemClock: Clock
  microphoneError: typeof microphoneError
  microphoneStateOf: typeof microphoneStateOf
  microphoneHelp: typeof microphoneHelp
  toRinglineError: typeof toRinglineError
  initialReadinessReport: typeof initialReadinessReport
  readinessVerdict: typeof readinessVerdict
  steps: readonly ReadinessStepName[]
}

let D: ReadinessDeps

const SEVERITY: Record<ReadinessStepState, number> = {
  failed: 0,
  warning: 1,
  pending: 2,
  running: 2,
  passed: 3,
  skipped: 3,
}

function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', done)
      resolve()
    }, ms)
    const done = () => {
      clock.clearTimeout(handle)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Run with a deadline on the clock: rejects with `timeout` when `ms` pass first. */
function withTimeout<T>(clock: Clock, ms: number, work: Promise<T>, timeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handle = clock.setTimeout(() => reject(timeout()), ms)
    work.then(
      (v) => {
        clock.clearTimeout(handle)
        resolve(v)
      },
      (e) => {
        clock.clearTimeout(handle)
        reject(e)
      },
    )
  })
}

function navigatorPart<K extends 'mediaDevices' | 'permissions'>(key: K): Navigator[K] | null {
  const nav = globalThis.navigator as Navigator | undefined
  return (nav?.[key] as Navigator[K] | undefined) ?? null
}

/** Run the ready check (what `checkReadiness()` loads and calls). */
export async function runReadinessCheck(
  options: CheckReadinessOptions,
  deps: ReadinessDeps,
): Promise<ReadinessReport> {
  D = deps
  const clock = options.clock ?? D.systemClock
  const wanted = options.steps ?? D.steps
  const signal = options.signal
  const media =
    options.mediaDevices === undefined
      ? (navigatorPart('mediaDevices') as MediaDevicesLike | null)
      : options.mediaDevices
  const permissions =
    options.permissions === undefined
      ? (navigatorPart('permissions') as PermissionsLike | null)
      : options.permissions
  let report = D.initialReadinessReport(wanted)

  const publish = () => {
    const reasons = [...report.steps]
      .filter((s) => s.state === 'failed' || s.state === 'warning')
      .sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state])
      .map((s) => s.message)
    report = { ...report, verdict: D.readinessVerdict(report.steps), reasons }
    options.onUpdate?.(report)
  }
  const set = (
    name: ReadinessStepName,
    state: ReadinessStepState,
    message: string,
    fix: string | null = null,
  ) => {
    report = {
      ...report,
      steps: report.steps.map((s) => (s.name === name ? { name, state, message, fix } : s)),
    }
    publish()
  }
  const has = (name: ReadinessStepName) => report.steps.some((s) => s.name === name)
  const aborted = () => signal?.aborted === true

  let stream: MediaStream | null = null
  const stopStream = () => {
    for (const track of stream?.getTracks() ?? []) track.stop()
    stream = null
  }

  try {
    // ── permission (and the stream the microphone step measures) ──
    const needStream = has('permission') || has('microphone')
    if (needStream) {
      if (has('permission')) set('permission', 'running', 'Asking for the microphone…')
      let permission: MicrophonePermission = 'unknown'
      if (!media) {
        permission = 'no-device'
      } else {
        const queried = await permissions
          ?.query({ name: 'microphone' })
          .then((s) => s.state)
          .catch(() => null)
        if (queried === 'denied') permission = 'denied'
        else {
          try {
            stream = await media.getUserMedia({
              audio: options.deviceId ? { deviceId: { exact: options.deviceId } } : true,
            })
            permission = 'granted'
          } catch (error) {
            permission = D.microphoneStateOf(D.microphoneError(error)) ?? 'in-use'
          }
        }
      }
      report = { ...report, permission }
      if (has('permission')) {
        if (permission === 'granted') set('permission', 'passed', 'The microphone is allowed.')
        else set('permission', 'failed', permissionMessage(permission), D.microphoneHelp(permission))
      }
    }
    if (aborted()) return report

    // ── microphone signal ──
    if (has('microphone')) {
      const track = stream?.getAudioTracks()[0] ?? null
      if (!track) {
        set(
          'microphone',
          'skipped',
          'The microphone could not be tested without access to it.',
          D.microphoneHelp(report.permission),
        )
      } else {
        set('microphone', 'running', 'Say something: listening to your microphone…')
        const found = await measureSignal(track, {
          clock,
          meter: options.meter ?? webAudioLevelMeter,
          level: options.level ?? 0.01,
          holdMs: options.holdMs ?? 150,
          timeoutMs: options.signalTimeoutMs ?? 6_000,
          signal,
          onLevel: (level) => {
            report = { ...report, level }
            options.onUpdate?.(report)
          },
        })
        const label = track.label ? `“${track.label}”` : 'The microphone'
        if (found === 'signal') set('microphone', 'passed', `${label} picks up sound.`)
        else if (found === 'no-meter')
          set('microphone', 'warning', `${label} is on, but this browser cannot measure its level.`, null)
        else if (!aborted())
          set(
            'microphone',
            'failed',
            `${label} picks up no sound.`,
            'Check the microphone is not muted (a switch on the headset, or the system sound settings), speak, and try again, or choose another microphone.',
          )
      }
    }
    stopStream()
    if (aborted()) return report

    // ── speaker ──
    if (has('speaker')) {
      const sounds = options.sounds
      if (!sounds?.playTestTone) {
        set('speaker', 'skipped', 'Sound output is not tested here.')
      } else {
        set('speaker', 'running', 'Playing a test tone…')
        const played = await sounds.playTestTone()
        if (played)
          set(
            'speaker',
            'passed',
            'A test tone played.',
            'If you did not hear it, check the volume and the speaker chosen, then play it again.',
          )
        else
          set(
            'speaker',
            'failed',
            'Your browser blocks sound on this page, so you would not hear calls ring.',
            'Click “Enable sound” (or anywhere on the page), then play the test sound.',
          )
      }
    }
    if (aborted()) return report

    // ── connection ──
    if (has('connection')) {
      const api = options.api
      const usable =
        !!api && (options.roomName ? !!api.joinRoom : !!(api.readyCheckConnection || api.joinRoom))
      if (!api || !usable) set('connection', 'skipped', 'The connection is not tested here.')
      else
        await connectionStep(options, api, clock, report.permission === 'granted', {
          running: (m) => set('connection', 'running', m),
          result: (state, message, fix, timings) => {
            report = { ...report, connection: timings }
            set('connection', state, message, fix)
          },
        })
    }
    return report
  } finally {
    stopStream()
  }
}

function permissionMessage(permission: MicrophonePermission): string {
  switch (permission) {
    case 'denied':
      return 'Microphone access is blocked for this site.'
    case 'blocked-by-policy':
      return 'This page may not use a microphone.'
    case 'no-device':
      return 'No microphone was found.'
    case 'in-use':
      return 'The microphone is in use by another app or cannot be read.'
    default:
      return 'The microphone could not be started.'
  }
}

/** Watch the level of `track` until it holds over the threshold, the time runs out, or the check is aborted. */
async function measureSignal(
  track: MediaStreamTrack,
  o: {
    clock: Clock
    meter: LevelMeterFactory
    level: number
    holdMs: number
    timeoutMs: number
    signal: AbortSignal | undefined
    onLevel(level: number): void
  },
): Promise<'signal' | 'silence' | 'no-meter'> {
  const meter = o.meter(track)
  if (!meter) return 'no-meter'
  const every = 50
  const start = o.clock.now()
  // Time over the threshold, added up sample by sample (each sample stands for the time since the previous one).
  let loud = 0
  let last = start
  try {
    for (;;) {
      if (o.signal?.aborted) return 'silence'
      const now = o.clock.now()
      const level = meter.level()
      o.onLevel(level)
      if (level >= o.level) {
        loud += Math.min(now - last, every * 2)
        if (loud >= o.holdMs && now > start) return 'signal'
      }
      last = now
      if (now - start >= o.timeoutMs) return 'silence'
      await sleep(o.clock, every, o.signal)
    }
  } finally {
    meter.stop()
    o.onLevel(0)
  }
}

async function loadLivekit(given: ReadinessLivekitOptions['livekit']): Promise<LivekitModuleLike> {
  if (typeof given === 'function') return given()
  if (given) return given
  return (await import('livekit-client')) as unknown as LivekitModuleLike
}

type Timings = ReadinessReport['connection']

async function connectionStep(
  options: CheckReadinessOptions,
  api: ReadinessApi,
  clock: Clock,
  micAllowed: boolean,
  out: {
    running(message: string): void
    result(state: ReadinessStepState, message: string, fix: string | null, timings: Timings): void
  },
) {
  const timings: Timings = { connectMs: null, publishMs: null, rttMs: null }
  // The server's private test room leaves no call record; a named room (or an API without it) is an internal room,
  // joined and ended after.
  const privateRoom = !options.roomName && !!api.readyCheckConnection
  const name = options.roomName ?? `ready-check-${Math.random().toString(36).slice(2, 10)}`
  const timeoutMs = options.connectTimeoutMs ?? 15_000
  let room: RoomLike | null = null
  let joined = false
  const timeout = () => Object.assign(new Error('timeout'), { name: 'TimeoutError' })
  try {
    out.running('Connecting to the call server…')
    const { connection } = await withTimeout(
      clock,
      timeoutMs,
      privateRoom ? api.readyCheckConnection!() : api.joinRoom!(name),
      timeout,
    )
    joined = !privateRoom
    const lk = await loadLivekit(options.livekit?.livekit)
    room = options.livekit?.createRoom
      ? options.livekit.createRoom(lk)
      : (new lk.Room({ adaptiveStream: false, dynacast: false }) as RoomLike)
    let t0 = clock.now()
    await withTimeout(clock, timeoutMs, room.connect(connection.serverUrl, connection.token), timeout)
    timings.connectMs = clock.now() - t0
    if (!micAllowed) {
      out.result(
        'warning',
        `Connected to the call server in ${timings.connectMs} ms; sending audio was not tested without the microphone.`,
        null,
        timings,
      )
      return
    }
    out.running('Sending audio to the call server…')
    t0 = clock.now()
    await withTimeout(
      clock,
      timeoutMs,
      room.localParticipant.setMicrophoneEnabled(
        true,
        options.deviceId ? { deviceId: options.deviceId } : undefined,
      ),
      timeout,
    )
    timings.publishMs = clock.now() - t0
    // The media round trip arrives with the server's first receiver reports, a second or so after publishing.
    const source = lk.Track.Source.Microphone ?? 'microphone'
    const deadline = clock.now() + (options.rttWaitMs ?? 4_000)
    while (clock.now() < deadline) {
      const stats = await room.localParticipant
        .getTrackPublication(source)
        ?.track?.getSenderStats?.()
        .catch(() => undefined)
      if (typeof stats?.roundTripTime === 'number' && stats.roundTripTime > 0) {
        timings.rttMs = Math.round(stats.roundTripTime * 1000)
        break
      }
      await sleep(clock, 250, options.signal)
      if (options.signal?.aborted) break
    }
    const warnMs = options.rttWarnMs ?? 400
    if (timings.rttMs === null) {
      out.result(
        'warning',
        `Connected and sent audio (${timings.connectMs} ms), but the server reported no round trip: audio may not get through a firewall.`,
        'If calls have no sound, ask your network administrator to allow UDP to the call server (or TURN over TLS).',
        timings,
      )
    } else if (timings.rttMs > warnMs) {
      out.result(
        'warning',
        `Connected, but the round trip to the call server is ${timings.rttMs} ms: expect a delay on calls.`,
        'Use a wired connection or a faster network; close large downloads and video streams.',
        timings,
      )
    } else {
      out.result(
        'passed',
        `Connected to the call server and sent audio (round trip ${timings.rttMs} ms).`,
        null,
        timings,
      )
    }
  } catch (error) {
    const timedOut = (error as { name?: string } | null)?.name === 'TimeoutError'
    const e = timedOut ? null : D.toRinglineError(error, 'CONNECTION_FAILED')
    out.result(
      'failed',
      timedOut
        ? 'The call server did not answer in time.'
        : `Could not connect to the call server: ${e?.message ?? 'unknown error'}`,
      e?.code === 'UNAUTHENTICATED'
        ? 'Sign in again, then re-run the check.'
        : 'Check your internet connection; a VPN or firewall may block the call server (WebSocket and UDP).',
      timings,
    )
  } finally {
    await room?.disconnect().catch(() => undefined)
    if (joined) await api.endRoom?.(name).catch(() => undefined)
  }
}
