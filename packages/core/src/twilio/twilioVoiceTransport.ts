import type { ApiClient } from '../apiClient'
import { dtmfDigitFromCode } from '../dtmf'
import type {
  CallStatus,
  CallWithConnection,
  Connection,
  CreateCallRequest,
  RinglineEvent,
  TwilioVoiceLeg,
} from '../protocol'
import { TWILIO_CALL_ID_PARAM } from '../protocol/constants'
import {
  twilioVoiceCallResponseGuard,
  twilioVoiceServerCallResponseGuard,
  twilioVoiceTokenResponseGuard,
} from '../protocol/guards'
import { RinglineError } from '../ringlineError'
import type {
  AudioDeviceKind,
  CallTransport,
  DisconnectCause,
  ParticipantState,
  SessionConnectOptions,
  SipCallStatus,
  TransportFact,
  TransportHost,
  TransportSession,
} from '../types'
import { twilioErrorToRinglineError } from './twilioErrors'

/** The parts of a `@twilio/voice-sdk` `Call` Ringline uses. */
export interface TwilioCallLike {
  readonly parameters: Record<string, string>
  readonly customParameters: Map<string, string>
  status(): string
  accept(options?: { rtcConstraints?: MediaStreamConstraints }): void
  reject(): void
  ignore(): void
  disconnect(): void
  mute(shouldMute?: boolean): void
  isMuted(): boolean
  sendDigits(digits: string): void
  getRemoteStream(): MediaStream | undefined
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
}

/** The parts of a `@twilio/voice-sdk` `Device` Ringline uses; a test double implements just these. */
export interface TwilioDeviceLike {
  readonly state: string
  readonly audio: {
    setInputDevice(deviceId: string): Promise<void>
    speakerDevices: { set(deviceIds: string | string[]): Promise<void> }
  } | null
  register(): Promise<void>
  unregister(): Promise<void>
  connect(options?: {
    params?: Record<string, string>
    rtcConstraints?: MediaStreamConstraints
  }): Promise<TwilioCallLike>
  updateToken(token: string): void
  destroy(): void
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
}

/** A `Device` constructor (the SDK's own, or a fake). */
export type TwilioDeviceConstructor = new (
  token: string,
  options?: Record<string, unknown>,
) => TwilioDeviceLike

/** Options of `twilioVoiceTransport`. */
export interface TwilioVoiceTransportOptions {
  /** The `Device` class, or a loader; default `import('@twilio/voice-sdk')` on first use. */
  Device?: TwilioDeviceConstructor | (() => Promise<TwilioDeviceConstructor>)
  /** Extra `Device` options (`edge`, `logLevel`, …). */
  deviceOptions?: Record<string, unknown>
  /** Register the Device for incoming calls while the client runs (default true). */
  incoming?: boolean
  /** How long answering (or a server-placed call) waits for Twilio's invite to reach this browser, in ms (default 10 000). */
  inviteTimeoutMs?: number
  /**
   * Who places `dial()`'s calls: `'browser'` (default, `Device.connect`) or `'server'` (`POST /twilio/voice/calls` with
   * `initiate: 'server'`: Twilio's REST Calls API rings this user's browsers, this tab accepts its own ring by CallSid
   * and the server bridges to the number; phases follow the call record: dialing → ringing → connected).
   */
  dialVia?: 'browser' | 'server'
  /** With `dialVia: 'server'`: seconds Twilio rings the browser before giving up (server default when unset, 5–600). */
  serverRingTimeout?: number
}

const REMOTE = 'twilio-remote'
/** Key prefix of invites matched by Twilio CallSid (server-placed calls) rather than by `ringlineCallId`. */
const SID = 'sid:'

/** A call to set up in the browser: a Twilio leg from the server, or a server-placed call this tab waits to accept. */
type Leg =
  | (TwilioVoiceLeg & { to: string | null })
  | { action: 'server'; callId: string; callSid: string; to: string | null }

/**
 * Twilio Voice transport: the browser `Device` of `@twilio/voice-sdk` (loaded on first use) instead of LiveKit.
 * The same components work over it: `createCallClient({ baseUrl, transport: twilioVoiceTransport() })`.
 */
export function twilioVoiceTransport(options: TwilioVoiceTransportOptions = {}): CallTransport & {
  /** The live Device, once created (for advanced use; null before the first call or registration). */
  readonly device: TwilioDeviceLike | null
} {
  let ctorPromise: Promise<TwilioDeviceConstructor> | null = null
  const loadDevice = () => {
    if (!ctorPromise) {
      const given = options.Device
      ctorPromise =
        given && !isConstructor(given)
          ? (given as () => Promise<TwilioDeviceConstructor>)()
          : given
            ? Promise.resolve(given as TwilioDeviceConstructor)
            : import('@twilio/voice-sdk').then((m) => m.Device as unknown as TwilioDeviceConstructor)
      ctorPromise.catch(() => {
        ctorPromise = null
      })
    }
    return ctorPromise
  }

  let api: ApiClient | null = null
  let host: TransportHost | null = null
  let device: TwilioDeviceLike | null = null
  let devicePromise: Promise<TwilioDeviceLike> | null = null
  let identity: string | null = null
  let attached = 0
  let sessions = 0
  const legs = new Map<string, Leg>()
  // Server-placed calls in flight: while one is, an invite without `ringlineCallId` is kept by CallSid (its ring can
  // beat the REST response).
  let placing = 0
  const invites = new Map<string, TwilioCallLike>()
  const inviteWaiters = new Map<string, Array<(call: TwilioCallLike) => void>>()

  const fetchToken = async (client: ApiClient) => {
    const res = await client.request('POST', '/token', {
      body: { transport: 'twilio' },
      schema: twilioVoiceTokenResponseGuard,
    })
    identity = res.identity
    return res.token
  }

  const onIncoming = (call: TwilioCallLike) => {
    const sid = call.parameters.CallSid
    // A server-placed call rings as an invite without `ringlineCallId`; it is kept by CallSid only while this tab
    // places one or waits for that sid. Other unmarked invites stay ignored, as before.
    const bySid = sid && (placing > 0 || inviteWaiters.has(SID + sid)) ? SID + sid : undefined
    const id = call.customParameters.get(TWILIO_CALL_ID_PARAM) ?? bySid
    if (!id) return
    invites.set(id, call)
    const drop = () => {
      if (invites.get(id) === call) invites.delete(id)
    }
    call.on('cancel', drop)
    call.on('disconnect', drop)
    call.on('reject', drop)
    for (const resolve of inviteWaiters.get(id) ?? []) resolve(call)
    inviteWaiters.delete(id)
  }

  const ensureDevice = (client: ApiClient): Promise<TwilioDeviceLike> => {
    if (device) return Promise.resolve(device)
    devicePromise ??= (async () => {
      const [Device, token] = await Promise.all([loadDevice(), fetchToken(client)])
      const d = new Device(token, {
        codecPreferences: ['opus', 'pcmu'],
        closeProtection: false,
        ...options.deviceOptions,
      })
      d.on('incoming', onIncoming as never)
      d.on('tokenWillExpire', (() => {
        fetchToken(client)
          .then((t) => d.updateToken(t))
          .catch((e: unknown) => host?.onError(toError(e, 'NETWORK_ERROR')))
      }) as never)
      d.on('error', ((e: unknown) => host?.onError(twilioErrorToRinglineError(e))) as never)
      device = d
      return d
    })()
    devicePromise.catch(() => {
      devicePromise = null
    })
    return devicePromise
  }

  const releaseDevice = () => {
    if (attached > 0 || sessions > 0 || !device) return
    const d = device
    device = null
    devicePromise = null
    invites.clear()
    d.destroy()
  }

  const waitForInvite = (id: string): Promise<TwilioCallLike> => {
    const ready = invites.get(id)
    if (ready) return Promise.resolve(ready)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = inviteWaiters.get(id)?.filter((f) => f !== done) ?? []
        if (list.length) inviteWaiters.set(id, list)
        else inviteWaiters.delete(id)
        reject(
          new RinglineError('CALL_NOT_ACTIVE', 'The call stopped ringing before it reached this browser.'),
        )
      }, options.inviteTimeoutMs ?? 10_000)
      const done = (call: TwilioCallLike) => {
        clearTimeout(timer)
        resolve(call)
      }
      inviteWaiters.set(id, [...(inviteWaiters.get(id) ?? []), done])
    })
  }

  /** `dialVia: 'server'`: registers this Device (so the ring reaches this tab), then asks the server to place the call. */
  const placeFromServer = async (
    client: ApiClient,
    body: CreateCallRequest,
    signal?: AbortSignal,
  ): Promise<CallWithConnection> => {
    placing++
    try {
      const d = await ensureDevice(client).catch((e: unknown) => {
        throw toError(e, 'CONNECTION_FAILED')
      })
      if (d.state !== 'registered') await d.register()
      const res = await client.request('POST', '/twilio/voice/calls', {
        body: {
          ...body,
          initiate: 'server',
          ...(options.serverRingTimeout ? { timeout: options.serverRingTimeout } : {}),
        },
        signal,
        schema: twilioVoiceServerCallResponseGuard,
      })
      const { call } = res
      legs.set(call.roomName, {
        action: 'server',
        callId: call.id,
        callSid: res.twilio.callSid,
        to: call.toNumber,
      })
      return { call, connection: { serverUrl: 'twilio:', token: '', roomName: call.roomName } }
    } catch (e) {
      // No call to set up: a Device registered only for it goes away (kept while the client runs or a call uses it).
      releaseDevice()
      throw e
    } finally {
      placing--
      // Unmarked invites kept while placing that no call claimed go back to being ignored.
      if (placing === 0) {
        const claimed = new Set(
          [...legs.values()].flatMap((l) => (l.action === 'server' ? [SID + l.callSid] : [])),
        )
        for (const key of invites.keys()) if (key.startsWith(SID) && !claimed.has(key)) invites.delete(key)
      }
    }
  }

  const remember = (res: CallWithConnection): CallWithConnection => {
    const checked = twilioVoiceCallResponseGuard.safeParse(res)
    if (!checked.success) {
      throw new RinglineError(
        'UPSTREAM_ERROR',
        `The Twilio Voice call response does not match the protocol: ${checked.error.issues[0]?.message}`,
      )
    }
    const parsed = checked.data
    legs.set(parsed.connection.roomName, { ...parsed.twilio, to: parsed.call.toNumber })
    return { call: parsed.call, connection: parsed.connection }
  }

  const transport: CallTransport & { readonly device: TwilioDeviceLike | null } = {
    name: 'twilio',
    get device() {
      return device
    },
    async prepare() {
      await loadDevice().catch(() => undefined)
    },

    requests: {
      async createCall(client, body, signal) {
        api = client
        if (options.dialVia === 'server') return placeFromServer(client, body, signal)
        const res = await client.request('POST', '/twilio/voice/calls', { body, signal })
        return remember(res as CallWithConnection)
      },
      async answerCall(client, id, signal) {
        api = client
        const res = await client.request('POST', `/twilio/voice/calls/${encodeURIComponent(id)}/answer`, {
          signal,
        })
        return remember(res as CallWithConnection)
      },
      async declineCall(client, id, body) {
        const invite = invites.get(id)
        // `ignore` stops ringing here and leaves the others ringing; `reject` ends the call for everyone.
        if (invite) {
          invites.delete(id)
          if (body.reject) invite.reject()
          else invite.ignore()
        }
        return client.request('POST', `/twilio/voice/calls/${encodeURIComponent(id)}/decline`, { body })
      },
      hangupCall(client, id) {
        return client.request('POST', `/twilio/voice/calls/${encodeURIComponent(id)}/hangup`)
      },
    },

    attach(h) {
      host = h
      api = h.api
      attached++
      let stopped = false
      if (options.incoming !== false) {
        ensureDevice(h.api)
          .then((d) => (stopped || d.state === 'registered' ? undefined : d.register()))
          .catch((e: unknown) => h.onError(twilioErrorToRinglineError(e)))
      }
      return () => {
        if (stopped) return
        stopped = true
        attached--
        if (attached === 0 && device && sessions > 0) device.unregister().catch(() => {})
        releaseDevice()
      }
    },

    createSession(onFact: (fact: TransportFact) => void): TransportSession {
      let call: TwilioCallLike | null = null
      let closed = false
      let sipStatus: SipCallStatus = 'dialing'
      let remoteNumber: string | null = null
      let lastError: RinglineError | null = null
      let counted = false
      const listeners: Array<[string, (...args: never[]) => void]> = []
      let local: ParticipantState | null = null
      let remote: ParticipantState | null = null
      // A server-placed call: the browser leg is answered first, then the record says when the number rings/answers.
      let server: { following: boolean; status: CallStatus | null; accepted: boolean } | null = null
      let stopFollowing: (() => void) | null = null

      const serverSipStatus = (): SipCallStatus => {
        if (!server?.following) return 'active'
        if (server.status === 'in-progress') return 'active'
        return server.status === 'ringing' ? 'ringing' : 'dialing'
      }
      const follow = (callId: string) => (event: RinglineEvent) => {
        if (!server || !('call' in event) || event.call.id !== callId) return
        server.status = event.call.status
        if (!server.accepted || closed) return
        const next = serverSipStatus()
        if (next !== sipStatus) {
          sipStatus = next
          participants()
        }
      }

      const participants = () => {
        if (!call) return
        const muted = call.isMuted()
        if (!local || local.muted !== muted) {
          local = {
            identity: identity ?? 'me',
            name: null,
            kind: 'user',
            isLocal: true,
            speaking: false,
            muted,
            sipStatus: null,
            attributes: {},
          }
        }
        if (!remote || remote.sipStatus !== sipStatus) {
          remote = {
            identity: REMOTE,
            name: remoteNumber,
            kind: 'sip',
            isLocal: false,
            speaking: false,
            muted: false,
            sipStatus,
            attributes: call.parameters.CallSid ? { 'twilio.callSid': call.parameters.CallSid } : {},
          }
        }
        onFact({ type: 'participants', participants: [local, remote] })
      }

      const on = (c: TwilioCallLike, event: string, fn: (...args: never[]) => void) => {
        c.on(event, fn)
        listeners.push([event, fn])
      }

      const wire = (c: TwilioCallLike) => {
        on(c, 'ringing', (() => {
          sipStatus = 'ringing'
          participants()
        }) as never)
        on(c, 'accept', (() => {
          onFact({ type: 'connection', state: 'connected' })
          if (server) server.accepted = true
          sipStatus = server ? serverSipStatus() : 'active'
          participants()
        }) as never)
        on(c, 'mute', (() => participants()) as never)
        on(c, 'reconnecting', (() => onFact({ type: 'connection', state: 'reconnecting' })) as never)
        on(c, 'reconnected', (() => onFact({ type: 'connection', state: 'connected' })) as never)
        on(c, 'error', ((e: unknown) => {
          const error = twilioErrorToRinglineError(e)
          lastError = error
          if (error.code === 'MICROPHONE_PERMISSION_DENIED' || error.code === 'MICROPHONE_NOT_FOUND') {
            onFact({ type: 'media-error', error })
          }
        }) as never)
        const gone = (cause: DisconnectCause) => {
          if (closed) return
          closed = true
          const left = remote ?? {
            identity: REMOTE,
            name: remoteNumber,
            kind: 'sip' as const,
            isLocal: false,
            speaking: false,
            muted: false,
            sipStatus,
            attributes: {},
          }
          onFact({ type: 'participant-left', participant: left, cause })
          onFact({ type: 'connection', state: 'disconnected', cause })
          finish()
        }
        on(c, 'disconnect', (() => gone(causeOf(lastError))) as never)
        on(c, 'cancel', (() => gone('user-unavailable')) as never)
        on(c, 'reject', (() => gone('user-rejected')) as never)
      }

      const finish = () => {
        stopFollowing?.()
        stopFollowing = null
        if (call) for (const [event, fn] of listeners) call.off(event, fn)
        listeners.length = 0
        if (counted) {
          counted = false
          sessions--
          releaseDevice()
        }
      }

      const requireCall = (): TwilioCallLike => {
        if (!call || closed) throw new RinglineError('CALL_NOT_ACTIVE', 'There is no connected call.')
        return call
      }

      return {
        async connect(connection: Connection, opts: SessionConnectOptions) {
          const leg = legs.get(connection.roomName)
          legs.delete(connection.roomName)
          if (!leg || !api) {
            throw new RinglineError(
              'CONNECTION_FAILED',
              'This call was not started through the Twilio Voice transport (no Twilio leg for it).',
            )
          }
          remoteNumber = leg.to
          onFact({ type: 'connection', state: 'connecting' })
          sessions++
          counted = true
          let d: TwilioDeviceLike
          try {
            d = await ensureDevice(api)
          } catch (e) {
            finish()
            throw toError(e, 'CONNECTION_FAILED')
          }
          if (closed) return finish()
          const rtcConstraints = opts.audioInput
            ? { audio: { deviceId: { exact: opts.audioInput } } }
            : undefined
          if (opts.audioOutput && d.audio) await d.audio.speakerDevices.set(opts.audioOutput).catch(() => {})
          if (leg.action === 'dial') {
            try {
              call = await d.connect({ params: leg.params, ...(rtcConstraints ? { rtcConstraints } : {}) })
            } catch (e) {
              finish()
              throw twilioErrorToRinglineError(e)
            }
            if (closed) {
              call.disconnect()
              return finish()
            }
            wire(call)
            participants()
            if (call.status() === 'ringing') {
              sipStatus = 'ringing'
              participants()
            }
          } else if (leg.action === 'server') {
            // Follow the record before the ring arrives, so no status update is missed.
            const stop = host?.onServerEvent?.(follow(leg.callId))
            server = { following: stop !== undefined, status: null, accepted: false }
            stopFollowing = stop ?? null
            let invite: TwilioCallLike
            try {
              invite = await waitForInvite(SID + leg.callSid)
            } catch (e) {
              finish()
              throw e
            }
            invites.delete(SID + leg.callSid)
            if (closed) {
              // Hung up before the ring reached this tab: reject ends Twilio's call for every browser.
              invite.reject()
              return finish()
            }
            call = invite
            wire(call)
            participants()
            call.accept(rtcConstraints ? { rtcConstraints } : undefined)
          } else {
            let invite: TwilioCallLike
            try {
              invite = await waitForInvite(leg.callId)
            } catch (e) {
              finish()
              throw e
            }
            invites.delete(leg.callId)
            if (closed) {
              invite.ignore()
              return finish()
            }
            call = invite
            wire(call)
            participants()
            call.accept(rtcConstraints ? { rtcConstraints } : undefined)
          }
          onFact({ type: 'audio-playback', canPlay: true })
          if (!opts.microphone) call.mute(true)
        },

        async disconnect() {
          if (closed) return
          closed = true
          const c = call
          finish()
          if (!c) return
          if (c.status() === 'pending') c.reject()
          else c.disconnect()
        },

        async setMicrophoneEnabled(enabled) {
          requireCall().mute(!enabled)
          participants()
        },

        setRemoteAudioEnabled(enabled) {
          const stream = call?.getRemoteStream()
          for (const track of stream?.getAudioTracks() ?? []) track.enabled = enabled
        },

        async publishDtmf(code, digit) {
          requireCall().sendDigits(digit || dtmfDigitFromCode(code) || '')
        },

        // Twilio's browser SDK sends the microphone stream only: no hold music, the other side hears silence.
        async playInsteadOfMicrophone(track) {
          requireCall().mute(true)
          return async () => {
            track.stop()
          }
        },

        async switchDevice(kind: AudioDeviceKind, deviceId: string) {
          const audio = device?.audio
          if (!audio) return
          if (kind === 'audioinput') await audio.setInputDevice(deviceId)
          else await audio.speakerDevices.set(deviceId)
        },

        async startAudio() {},
      }
    },
  }
  return transport
}

function isConstructor(value: unknown): boolean {
  // Classes have a prototype with methods; arrow-function loaders have none.
  return (
    typeof value === 'function' &&
    value.prototype !== undefined &&
    Object.getOwnPropertyNames(value.prototype).length > 1
  )
}

function causeOf(error: RinglineError | null): DisconnectCause {
  switch (error?.code) {
    case undefined:
      return 'unknown'
    case 'SIP_NO_ANSWER':
      return 'user-unavailable'
    case 'SIP_BUSY':
    case 'SIP_DECLINED':
      return 'user-rejected'
    case 'SIP_FAILED':
      return 'sip-trunk-failure'
    case 'CONNECTION_FAILED':
    case 'NETWORK_ERROR':
      return 'media-failure'
    default:
      return 'unknown'
  }
}

function toError(e: unknown, fallback: 'NETWORK_ERROR' | 'CONNECTION_FAILED'): RinglineError {
  return e instanceof RinglineError ? e : twilioErrorToRinglineError(e, fallback)
}
