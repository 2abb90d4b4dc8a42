// Network quality of the active call as named warnings a person can read, raised and cleared with hysteresis.
//
// Inputs: LiveKit's connection quality of this browser (`local`) and of the other side (`remote`: the SIP
// participant of a phone call, the other members of a team room), the room's reconnecting state, and the link
// statistics of the microphone's sender and the remote audio receivers (round-trip time, packets lost).
//
// The rule (per warning, see DEFAULT_NETWORK_WARNING_RULES): a warning is RAISED once its condition has held
// without a break for `raiseAfterMs`, and CLEARED once the condition has been false without a break for
// `clearAfterMs`. A condition that flips back before its timer runs out restarts nothing and changes nothing,
// so a one-off bad sample never shows, and a warning never flickers on a borderline link. Time comes from the
// injected clock, so tests drive it with a fake one.
import type { Clock } from './types'

/** Name of a network warning. */
export type NetworkWarningName = 'poor-network' | 'high-latency' | 'packet-loss' | 'reconnecting'

/** Whose connection a warning is about: this browser's (`local`) or the other side's (`remote`). */
export type NetworkSide = 'local' | 'remote'

/** LiveKit's connection quality of a participant (its `ConnectionQuality` values). */
export type ConnectionQualityLevel = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown'

/** A raised network warning, with text a person can act on. */
export interface NetworkWarning {
  name: NetworkWarningName
  side: NetworkSide
  /** User-facing text (English; `networkWarningText` has them all). */
  text: string
  /** Epoch ms when it was raised. */
  since: number
}

/** When a warning is raised and cleared: the condition held for `raiseAfterMs`, then was good for `clearAfterMs`. */
export interface NetworkWarningRule {
  raiseAfterMs: number
  clearAfterMs: number
}

/**
 * Defaults: the quality warnings show after 3 s of a bad link and go after 5 s of a good one; `reconnecting`
 * shows after 1 s (LiveKit's brief signal blips stay silent) and goes as soon as the room is back.
 */
export const DEFAULT_NETWORK_WARNING_RULES: Readonly<Record<NetworkWarningName, NetworkWarningRule>> = {
  'poor-network': { raiseAfterMs: 3_000, clearAfterMs: 5_000 },
  'high-latency': { raiseAfterMs: 3_000, clearAfterMs: 5_000 },
  'packet-loss': { raiseAfterMs: 3_000, clearAfterMs: 5_000 },
  reconnecting: { raiseAfterMs: 1_000, clearAfterMs: 0 },
}

/** Thresholds of the measured conditions: round trip over `rttMs`, or more than `lossRatio` of packets lost. */
export interface NetworkThresholds {
  rttMs: number
  lossRatio: number
}

/** Defaults: 400 ms round trip (a conversation starts to talk over itself), 5 % of audio packets lost. */
export const DEFAULT_NETWORK_THRESHOLDS: Readonly<NetworkThresholds> = { rttMs: 400, lossRatio: 0.05 }

/** The text of each warning, per side. */
export const networkWarningText: Readonly<Record<NetworkWarningName, Record<NetworkSide, string>>> = {
  'poor-network': {
    local: 'Your network connection is poor. The other side may hear you break up.',
    remote: "The other side's connection is poor. You may hear them break up.",
  },
  'high-latency': {
    local: 'Your connection is slow: there is a delay on the line. Pause before you speak.',
    remote: "There is a delay on the other side's line. Pause before you speak.",
  },
  'packet-loss': {
    local: 'Audio is being lost on your connection. Move closer to Wi-Fi or use a wired network.',
    remote: 'Audio from the other side is being lost. Ask them to repeat if they break up.',
  },
  reconnecting: {
    local: 'Your connection dropped. Reconnecting…',
    remote: "The other side's connection dropped. Waiting for it to come back…",
  },
}

/** What the monitor is told; each field keeps its last value until told again. */
export interface NetworkInput {
  local?: ConnectionQualityLevel
  remote?: ConnectionQualityLevel
  /** The room is reconnecting. */
  reconnecting?: boolean
  /** Latest round-trip time in ms; null when not measured. */
  rttMs?: number | null
  /** Share of audio packets lost since the previous sample, per side (0–1); null when not measured. */
  loss?: { local: number | null; remote: number | null }
}

/** Options of `createNetworkMonitor`. */
export interface NetworkMonitorOptions {
  clock: Clock
  rules?: Partial<Record<NetworkWarningName, Partial<NetworkWarningRule>>>
  thresholds?: Partial<NetworkThresholds>
  /** Called after every raise or clear, with the warnings now raised. */
  onChange(warnings: readonly NetworkWarning[], changed: { warning: NetworkWarning; raised: boolean }): void
}

/** Turns network inputs into raised warnings with hysteresis. */
export interface NetworkMonitor {
  update(input: NetworkInput): void
  readonly warnings: readonly NetworkWarning[]
  /** Cancel pending timers; warnings stay as they are. */
  stop(): void
}

const NAMES: readonly NetworkWarningName[] = ['reconnecting', 'poor-network', 'packet-loss', 'high-latency']
const BAD: ReadonlySet<ConnectionQualityLevel> = new Set(['poor', 'lost'])

interface Slot {
  /** The side the condition is about now; null while the condition does not hold. */
  condition: NetworkSide | null
  raised: NetworkWarning | null
  timer: unknown
  /** The state the timer will apply: raise (true) or clear (false). */
  pending: boolean | null
}

/** Create a network monitor (see the file comment for the rule). */
export function createNetworkMonitor(options: NetworkMonitorOptions): NetworkMonitor {
  const { clock } = options
  const thresholds = { ...DEFAULT_NETWORK_THRESHOLDS, ...options.thresholds }
  const rules = Object.fromEntries(
    NAMES.map((n) => [n, { ...DEFAULT_NETWORK_WARNING_RULES[n], ...options.rules?.[n] }]),
  ) as Record<NetworkWarningName, NetworkWarningRule>
  const input: Required<NetworkInput> = {
    local: 'unknown',
    remote: 'unknown',
    reconnecting: false,
    rttMs: null,
    loss: { local: null, remote: null },
  }
  const slots = Object.fromEntries(
    NAMES.map((n) => [n, { condition: null, raised: null, timer: null, pending: null } satisfies Slot]),
  ) as Record<NetworkWarningName, Slot>
  let warnings: readonly NetworkWarning[] = []

  const conditionOf = (name: NetworkWarningName): NetworkSide | null => {
    switch (name) {
      case 'reconnecting':
        // The other side's leg going `lost` (a SIP line dropping its media) is its own reconnecting.
        return input.reconnecting ? 'local' : input.remote === 'lost' ? 'remote' : null
      case 'poor-network':
        return BAD.has(input.local) ? 'local' : input.remote === 'poor' ? 'remote' : null
      case 'high-latency':
        return input.rttMs !== null && input.rttMs > thresholds.rttMs ? 'local' : null
      case 'packet-loss': {
        const { local, remote } = input.loss
        if (local !== null && local > thresholds.lossRatio) return 'local'
        return remote !== null && remote > thresholds.lossRatio ? 'remote' : null
      }
    }
  }

  const publish = (warning: NetworkWarning, raised: boolean) => {
    warnings = NAMES.map((n) => slots[n].raised).filter((w): w is NetworkWarning => w !== null)
    options.onChange(warnings, { warning, raised })
  }

  const apply = (name: NetworkWarningName, raise: boolean) => {
    const slot = slots[name]
    slot.timer = null
    slot.pending = null
    if (raise) {
      const side = slot.condition
      if (!side) return
      slot.raised = { name, side, text: networkWarningText[name][side], since: clock.now() }
      publish(slot.raised, true)
    } else {
      const was = slot.raised
      if (!was) return
      slot.raised = null
      publish(was, false)
    }
  }

  const schedule = (name: NetworkWarningName, raise: boolean) => {
    const slot = slots[name]
    if (slot.pending === raise) return
    if (slot.timer !== null) clock.clearTimeout(slot.timer)
    slot.timer = null
    slot.pending = null
    const ms = raise ? rules[name].raiseAfterMs : rules[name].clearAfterMs
    if (ms <= 0) return apply(name, raise)
    slot.pending = raise
    slot.timer = clock.setTimeout(() => apply(name, raise), ms)
  }

  const cancel = (name: NetworkWarningName) => {
    const slot = slots[name]
    if (slot.timer !== null) clock.clearTimeout(slot.timer)
    slot.timer = null
    slot.pending = null
  }

  return {
    update(next) {
      if (next.local !== undefined) input.local = next.local
      if (next.remote !== undefined) input.remote = next.remote
      if (next.reconnecting !== undefined) input.reconnecting = next.reconnecting
      if (next.rttMs !== undefined) input.rttMs = next.rttMs
      if (next.loss !== undefined) input.loss = next.loss
      for (const name of NAMES) {
        const slot = slots[name]
        const side = conditionOf(name)
        slot.condition = side
        if (side) {
          if (slot.raised) {
            cancel(name)
            // Still bad, possibly now on the other side: say which.
            if (slot.raised.side !== side) {
              slot.raised = { ...slot.raised, side, text: networkWarningText[name][side] }
              publish(slot.raised, true)
            }
          } else schedule(name, true)
        } else if (slot.raised) schedule(name, false)
        else cancel(name)
      }
    },
    get warnings() {
      return warnings
    },
    stop() {
      for (const name of NAMES) cancel(name)
    },
  }
}

/** Cumulative link counters a transport reads from WebRTC stats (`TransportSession.linkStats`). */
export interface LinkStats {
  /** Round-trip time of the microphone's sender in ms, as the other end reports it; null when unknown. */
  rttMs: number | null
  /** Packets the microphone sent, and of those the other end reports lost (cumulative). */
  sent: number
  sentLost: number
  /** Packets received on remote audio, and lost on the way (cumulative). */
  received: number
  receivedLost: number
}

/** Share of packets lost between two samples of cumulative counters, per side; null with too few packets. */
export function lossBetween(
  prev: LinkStats | null,
  next: LinkStats,
  minPackets = 20,
): { local: number | null; remote: number | null } {
  const ratio = (lost: number, total: number) => (total >= minPackets ? Math.max(0, lost) / total : null)
  const sentLost = next.sentLost - (prev?.sentLost ?? 0)
  const sent = next.sent - (prev?.sent ?? 0)
  const recvLost = next.receivedLost - (prev?.receivedLost ?? 0)
  const received = next.received - (prev?.received ?? 0)
  return {
    local: ratio(sentLost, sent),
    remote: ratio(recvLost, received + Math.max(0, recvLost)),
  }
}
