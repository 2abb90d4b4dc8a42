// A test double of `@twilio/voice-sdk`'s Device and Call that follows the SDK's documented state machines:
// Device: unregistered → registering → registered, destroyed; Call: pending (incoming) | connecting (outgoing)
// → ringing (outgoing, answerOnBridge) → open ⇄ reconnecting → closed. Tests drive the remote side.
import type { TwilioCallLike, TwilioDeviceLike } from '../twilioVoiceTransport'

type Listener = (...args: never[]) => void

class Emitter {
  #listeners = new Map<string, Set<Listener>>()
  on(event: string, listener: Listener): this {
    const set = this.#listeners.get(event) ?? new Set<Listener>()
    this.#listeners.set(event, set)
    set.add(listener)
    return this
  }
  off(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener)
    return this
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])])
      (listener as (...a: unknown[]) => void)(...args)
  }
  listenerCount(event: string): number {
    return this.#listeners.get(event)?.size ?? 0
  }
}

/** A Twilio-style error (`TwilioError`): a numeric `code` and a message. */
export class FakeTwilioError extends Error {
  /** @param code Twilio error code, e.g. 31486 @param message what happened */
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'TwilioError'
  }
}

/** Call states of the SDK (`Call.State`). */
export type FakeCallState = 'pending' | 'connecting' | 'ringing' | 'open' | 'reconnecting' | 'closed'

/** A fake `Call`: the app calls its methods, the test plays the remote side with `remote*` methods. */
export class FakeTwilioCall extends Emitter implements TwilioCallLike {
  readonly parameters: Record<string, string>
  readonly customParameters: Map<string, string>
  readonly direction: 'INCOMING' | 'OUTGOING'
  /** Digits sent with `sendDigits`, in order. */
  digits = ''
  /** Options the app accepted an incoming call with. */
  acceptOptions: unknown = undefined
  #state: FakeCallState
  #muted = false
  #remoteStream: { getAudioTracks(): Array<{ enabled: boolean }> } = {
    getAudioTracks: () => [this.remoteTrack],
  }
  /** The remote audio track (its `enabled` flag tells whether the app holds the call). */
  readonly remoteTrack = { enabled: true }

  /** @param init direction, parameters, and custom parameters (`<Parameter>` nouns / `connect({ params })`) */
  constructor(init: {
    direction: 'INCOMING' | 'OUTGOING'
    parameters?: Record<string, string>
    customParameters?: Record<string, string>
  }) {
    super()
    this.direction = init.direction
    this.parameters = {
      CallSid: `CA${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`,
      ...init.parameters,
    }
    this.customParameters = new Map(Object.entries(init.customParameters ?? {}))
    this.#state = init.direction === 'INCOMING' ? 'pending' : 'connecting'
  }

  status(): FakeCallState {
    return this.#state
  }

  #to(state: FakeCallState) {
    this.#state = state
  }

  accept(options?: unknown): void {
    if (this.#state !== 'pending') return
    this.acceptOptions = options
    this.#to('connecting')
    // The SDK opens media, then emits `accept` with the call once it is open.
    queueMicrotask(() => {
      if (this.#state !== 'connecting') return
      this.#to('open')
      this.emit('accept', this)
    })
  }

  reject(): void {
    if (this.#state !== 'pending') return
    this.#to('closed')
    this.emit('reject')
  }

  ignore(): void {
    if (this.#state !== 'pending') return
    this.#to('closed')
  }

  disconnect(): void {
    if (this.#state === 'closed') return
    this.#to('closed')
    this.emit('disconnect', this)
  }

  mute(shouldMute = true): void {
    if (this.#muted === shouldMute) return
    this.#muted = shouldMute
    this.emit('mute', shouldMute, this)
  }

  isMuted(): boolean {
    return this.#muted
  }

  sendDigits(digits: string): void {
    if (this.#state !== 'open') throw new FakeTwilioError(31000, 'sendDigits on a call that is not open')
    if (!/^[0-9*#wW]+$/.test(digits))
      throw new FakeTwilioError(31000, 'Illegal character passed into sendDigits')
    this.digits += digits
  }

  getRemoteStream(): MediaStream | undefined {
    return this.#state === 'open' ? (this.#remoteStream as unknown as MediaStream) : undefined
  }

  /** The dialled party is ringing (outgoing calls with `answerOnBridge`). */
  remoteRinging(): void {
    if (this.#state !== 'connecting') return
    this.#to('ringing')
    this.emit('ringing', true)
  }

  /** The dialled party answered (outgoing). */
  remoteAnswer(): void {
    if (this.#state !== 'connecting' && this.#state !== 'ringing') return
    this.#to('open')
    this.emit('accept', this)
  }

  /** The other side hung up. */
  remoteHangup(): void {
    if (this.#state === 'closed') return
    this.#to('closed')
    this.emit('disconnect', this)
  }

  /** The caller gave up, or another browser answered, before this one accepted (incoming). */
  remoteCancel(): void {
    if (this.#state !== 'pending') return
    this.#to('closed')
    this.emit('cancel')
  }

  /** The SDK reports an error; fatal ones close the call like the SDK does. */
  fail(code: number, message = 'Twilio error', fatal = true): void {
    this.emit('error', new FakeTwilioError(code, message))
    if (fatal && this.#state !== 'closed') {
      this.#to('closed')
      this.emit('disconnect', this)
    }
  }

  /** Network blip: `reconnecting`, then `reconnected` unless `lost`. */
  networkDrop(): void {
    if (this.#state !== 'open') return
    this.#to('reconnecting')
    this.emit('reconnecting', new FakeTwilioError(53405, 'Media connection failed'))
  }

  /** Media came back after `networkDrop`. */
  networkRestore(): void {
    if (this.#state !== 'reconnecting') return
    this.#to('open')
    this.emit('reconnected')
  }
}

/** A fake `Device`. `FakeTwilioDevice.instances` lists every one created, newest last. */
export class FakeTwilioDevice extends Emitter implements TwilioDeviceLike {
  static instances: FakeTwilioDevice[] = []
  /** Make the next `connect()` reject with this error (e.g. a `FakeTwilioError(31401, …)`). */
  static nextConnectError: Error | null = null

  /** The current access token (updated by `updateToken`). */
  token: string
  readonly options: Record<string, unknown>
  /** Every call made or received, newest last. */
  readonly calls: FakeTwilioCall[] = []
  /** Selected input device and speaker devices. */
  inputDevice: string | null = null
  speakerDevices: string[] = []
  #state: 'unregistered' | 'registering' | 'registered' | 'destroyed' = 'unregistered'

  /** @param token access token @param options Device options */
  constructor(token: string, options: Record<string, unknown> = {}) {
    super()
    this.token = token
    this.options = options
    FakeTwilioDevice.instances.push(this)
  }

  /** Forget every instance and pending failure (call in `beforeEach`). */
  static reset(): void {
    FakeTwilioDevice.instances = []
    FakeTwilioDevice.nextConnectError = null
  }

  /** The newest Device. */
  static get latest(): FakeTwilioDevice | undefined {
    return FakeTwilioDevice.instances.at(-1)
  }

  get state() {
    return this.#state
  }

  get audio() {
    if (this.#state === 'destroyed') return null
    return {
      setInputDevice: async (id: string) => {
        this.inputDevice = id
      },
      speakerDevices: {
        set: async (ids: string | string[]) => {
          this.speakerDevices = Array.isArray(ids) ? ids : [ids]
        },
      },
    }
  }

  #alive() {
    if (this.#state === 'destroyed') throw new FakeTwilioError(31000, 'The Device was destroyed')
  }

  async register(): Promise<void> {
    this.#alive()
    if (this.#state === 'registered') return
    this.#state = 'registering'
    this.emit('registering')
    await Promise.resolve()
    if ((this.#state as string) === 'destroyed') return
    this.#state = 'registered'
    this.emit('registered')
  }

  async unregister(): Promise<void> {
    this.#alive()
    if (this.#state === 'unregistered') return
    this.#state = 'unregistered'
    this.emit('unregistered')
  }

  async connect(options: { params?: Record<string, string> } = {}): Promise<FakeTwilioCall> {
    this.#alive()
    const failure = FakeTwilioDevice.nextConnectError
    if (failure) {
      FakeTwilioDevice.nextConnectError = null
      throw failure
    }
    await Promise.resolve()
    const call = new FakeTwilioCall({ direction: 'OUTGOING', customParameters: options.params ?? {} })
    this.calls.push(call)
    return call
  }

  updateToken(token: string): void {
    this.token = token
  }

  destroy(): void {
    if (this.#state === 'destroyed') return
    for (const call of this.calls) call.disconnect()
    this.#state = 'destroyed'
    this.emit('destroyed')
  }

  /**
   * Twilio sends an invite to this Device (only a registered Device receives it); returns the call. `callSid` sets
   * the call's sid (a REST-placed call rings the browser with the sid the REST API returned).
   */
  receive(
    init: { from?: string; callSid?: string; customParameters?: Record<string, string> } = {},
  ): FakeTwilioCall {
    if (this.#state !== 'registered')
      throw new Error('FakeTwilioDevice: only a registered Device receives calls')
    const call = new FakeTwilioCall({
      direction: 'INCOMING',
      parameters: { From: init.from ?? '+14155550199', ...(init.callSid ? { CallSid: init.callSid } : {}) },
      customParameters: init.customParameters ?? {},
    })
    this.calls.push(call)
    this.emit('incoming', call)
    return call
  }

  /** The SDK's warning, 10 s before the token expires by default. */
  tokenWillExpire(): void {
    this.emit('tokenWillExpire', this)
  }
}
