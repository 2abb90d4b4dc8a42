import type { SandboxPorts } from './config'
import type { TraceCall } from './sipp-trace'

/** One call as the phone simulator saw it (either direction), with what it received. */
export interface PhoneCallRecord extends TraceCall {
  /** RFC 4733 digits the phone received from LiveKit during the call (e.g. sent with `publishDtmf`). */
  dtmfReceived: string
  /** Audio the phone received: RTP audio packets and their RMS level (0..1, G.711 decoded). */
  audio: PhoneAudio
}

/** What the phone heard of a call: totals, and the level per 100 ms (time in ms since the epoch). */
export interface PhoneAudio {
  packets: number
  /** RMS level of the whole call, 0..1. */
  rms: number
  /** RMS level per 100 ms bucket that carried audio; silence on the wire (no packets) has no bucket. */
  levels: Array<{ at: number; rms: number }>
}

/** One webhook as livekit-server sent it, relayed unchanged. */
export interface WebhookDelivery {
  /** The event's `id` (LiveKit's, for dedupe). */
  id: string
  event: string
  room: string | undefined
  receivedAt: number
  contentType: string
  /** The bare JWT LiveKit signs the body with; verify with `WebhookReceiver.receive(body, authorization)`. */
  authorization: string | undefined
  /** The raw body, byte for byte. */
  body: string
}

/** Everything about a running sandbox, as plain JSON (what the vitest setup `provide`s). */
export interface SandboxInfo {
  livekit: {
    /** HTTP URL for livekit-server-sdk clients. */
    url: string
    /** WebSocket URL for room clients. */
    wsUrl: string
    apiKey: string
    apiSecret: string
  }
  sip: {
    /**
     * livekit-sip runs in this sandbox. When false (its binary could not be had, e.g. the Go module proxy refuses
     * github.com/livekit/sip), everything else runs and the trunks and dispatch rule below are still provisioned,
     * but no call reaches a phone: `createSipParticipant` fails with 503 and `phone.call()` throws. Gate tests
     * that need it with `describeWithSip` / `itWithSip` from `@ringline/sandbox/vitest`.
     */
    available: boolean
    /** Why livekit-sip is not available (only when `available` is false). */
    unavailableReason?: string
    /** Provisioned inbound number: calls to it land in rooms `sandbox_<caller>_<random>`. */
    inboundNumber: string
    /** Outbound trunk to the phone simulator. */
    outboundTrunkId: string
    inboundTrunkId: string
    dispatchRuleId: string
    /** Numbers left unprovisioned, for Ringline's `provisionNumber`. */
    freeNumbers: string[]
    /** The outbound trunk's number (the caller id LiveKit presents). */
    callerId: string
    /** Room prefix of the sandbox's dispatch rule. */
    roomPrefix: string
    /** livekit-sip's SIP address, where inbound calls go ("127.0.0.1:5060"). */
    address: string
  }
  phone: {
    /** Numbers to dial out to, by the behaviour of the phone that answers. */
    numbers: {
      answer: string
      busy: string
      noAnswer: string
      decline: string
      hangup: string
      dtmf: string
      answerNow: string
      /** Accepts a transfer (SIP REFER) and calls the Refer-To target. */
      transfer: string
      /** Answers at once and echoes: a target for transfers. */
      transferTarget: string
    }
    /** The phone simulator's SIP address (the outbound trunk's address). */
    address: string
    /** The caller number the phone uses by default when it calls in. */
    defaultCaller: string
  }
  redis: { url: string }
  /**
   * Recording: LiveKit egress on the sandbox's Redis, uploading to a local S3 (s3rver). Absent in sandboxes
   * started by an older @ringline/sandbox. The S3 runs whether or not egress is available.
   */
  recording?: {
    /** egress runs in this sandbox. Gate tests that need it with `describeWithEgress` from `@ringline/sandbox/vitest`. */
    available: boolean
    /** Why egress is not available (only when `available` is false). */
    unavailableReason?: string
    /** egress's health/status endpoint. */
    egressHealthUrl: string
    s3: {
      /** Path-style endpoint (`http://127.0.0.1:7894`). */
      endpoint: string
      bucket: string
      region: string
      accessKeyId: string
      secretAccessKey: string
      /** Where s3rver keeps the objects (`<bucket>/<key>._S3rver_object`). */
      directory: string
    }
  }
  webhooks: {
    /** Where livekit-server posts webhooks (the relay). */
    relayUrl: string
    /** The hub's base URL (relay subscriptions, SSE stream, phone log). */
    hubUrl: string
  }
  stateDir: string
  ports: SandboxPorts
  /** The KEY=value lines `ringline-sandbox up` prints. */
  env: Record<string, string>
  /** Binaries used (sipp is needed by `phone.call` in any process); `livekitSip` is null without livekit-sip. */
  binaries: {
    sipp: string
    livekitServer: string
    livekitSip: string | null
    redisServer: string
    /** null without egress (older sandboxes: absent). */
    egress?: string | null
  }
}
