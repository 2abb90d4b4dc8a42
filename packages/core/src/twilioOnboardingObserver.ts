// Bring-your-own-Twilio-number onboarding as an observer: credentials, numbers and the staged connect of a number
// over the `/twilio/...` routes. Framework-free; React binds it with useSyncExternalStore.
import type {
  ConnectNumberRequest,
  NumberConnection,
  TwilioCredentialsRequest,
  TwilioIntegration,
  TwilioNumber,
} from './protocol'
import { Subscribable } from './subscribable'

/** The `/twilio/...` routes onboarding uses; `createApiClient()` and `@ringline/react`'s `RinglineApi` both fit. */
export interface TwilioOnboardingApi {
  twilio: {
    verifyCredentials(body: TwilioCredentialsRequest): Promise<unknown>
    saveCredentials(body: TwilioCredentialsRequest): Promise<TwilioIntegration>
    /** Optional: without it, onboarding probes with `listNumbers`. */
    getCredentials?(signal?: AbortSignal): Promise<{ integration: TwilioIntegration | null }>
    deleteCredentials(): Promise<unknown>
    listNumbers(signal?: AbortSignal): Promise<TwilioNumber[]>
    connectNumber(sid: string, body?: ConnectNumberRequest): Promise<NumberConnection>
    disconnectNumber(sid: string): Promise<unknown>
    numberStatus(sid: string, signal?: AbortSignal): Promise<NumberConnection>
  }
}

/** Where the onboarding stands. */
export type TwilioOnboardingStep =
  | 'loading'
  /** No credentials stored yet: show the form. */
  | 'credentials'
  /** Credentials stored: pick a number to connect. */
  | 'numbers'
  /** At least one number connected. */
  | 'connected'

/** What is running right now, if anything. */
export type TwilioOnboardingPending =
  | 'loading'
  | 'verifying'
  | 'saving'
  | 'removing'
  | 'listing'
  | 'connecting'
  | 'disconnecting'
  | 'checking'

/** The four stages of connecting a number, shown as 25 / 50 / 75 / 100 %. */
export type ConnectStage = 'account' | 'provisioning' | 'checking' | 'done'

/** Which operation an error came from. */
export type TwilioOnboardingOperation =
  | 'load'
  | 'verify'
  | 'save'
  | 'remove'
  | 'list'
  | 'connect'
  | 'disconnect'
  | 'status'

/** The onboarding snapshot. */
export interface TwilioOnboardingState {
  step: TwilioOnboardingStep
  pending: TwilioOnboardingPending | null
  /** `verified` after a successful verify, `saved` once stored. */
  credentials: 'unknown' | 'missing' | 'verified' | 'saved' | 'invalid'
  integration: TwilioIntegration | null
  numbers: readonly TwilioNumber[]
  /** Latest known connection per phone number SID. */
  connections: Readonly<Record<string, NumberConnection>>
  /** The connect in progress (or last finished). */
  connectProgress: {
    sid: string
    stage: ConnectStage
    progress: 0 | 25 | 50 | 75 | 100
    failed: boolean
  } | null
  error: { code: string; message: string; operation: TwilioOnboardingOperation } | null
  /** Per phone number SID: why the last quiet status read (`readStatus`) failed; cleared by a successful read. */
  statusProblems: Readonly<Record<string, { code: string; message: string }>>
}

/** The state before anything is known. */
export const INITIAL_ONBOARDING: TwilioOnboardingState = Object.freeze({
  step: 'loading',
  pending: null,
  credentials: 'unknown',
  integration: null,
  numbers: Object.freeze([]) as readonly TwilioNumber[],
  connections: Object.freeze({}),
  connectProgress: null,
  error: null,
  statusProblems: Object.freeze({}),
})

function isIntegration(value: unknown): value is TwilioIntegration {
  return typeof value === 'object' && value !== null && 'accountSid' in value && 'status' in value
}

function isConnection(value: unknown): value is NumberConnection {
  return typeof value === 'object' && value !== null && 'phoneNumberSid' in value && 'status' in value
}

const STAGE_PROGRESS = { account: 25, provisioning: 50, checking: 75, done: 100 } as const

function toError(error: unknown, operation: TwilioOnboardingOperation) {
  const e = error as { code?: string; message?: string } | null
  return { code: e?.code ?? 'INTERNAL', message: e?.message ?? 'Something went wrong.', operation }
}

function stepFor(state: TwilioOnboardingState): TwilioOnboardingStep {
  if (state.credentials === 'unknown') return 'loading'
  if (state.credentials !== 'saved') return 'credentials'
  const anyConnected =
    state.numbers.some((n) => n.connected) ||
    Object.values(state.connections).some((c) => c.status === 'connected')
  return anyConnected ? 'connected' : 'numbers'
}

/** Bring-your-own-Twilio-number onboarding over the `/twilio/...` routes, observable like the call client. */
export class TwilioOnboardingObserver extends Subscribable {
  private state: TwilioOnboardingState = INITIAL_ONBOARDING
  private api: TwilioOnboardingApi
  /** Quiet status reads in flight, one per number SID, with the callers still waiting for them. */
  private reads = new Map<
    string,
    { controller: AbortController; waiting: number; promise: Promise<NumberConnection | null> }
  >()

  constructor(api: TwilioOnboardingApi) {
    super()
    this.api = api
  }

  getSnapshot = (): TwilioOnboardingState => this.state

  setApi(api: TwilioOnboardingApi) {
    this.api = api
  }

  private set(patch: Partial<TwilioOnboardingState>) {
    const next = { ...this.state, ...patch }
    next.step = stepFor(next)
    this.state = next
    for (const listener of this.listeners) listener()
  }

  /** Finds out whether credentials are stored (`GET /twilio/credentials`, else by listing numbers), then lists numbers. */
  async load() {
    this.set({ pending: 'loading', error: null })
    try {
      if (this.api.twilio.getCredentials) {
        const { integration } = await this.api.twilio.getCredentials()
        if (!integration) {
          this.set({ pending: null, credentials: 'missing', integration: null })
          return
        }
        this.set({ integration })
      }
      const numbers = await this.api.twilio.listNumbers()
      this.set({ pending: null, credentials: 'saved', numbers })
    } catch (error) {
      const code = (error as { code?: string })?.code
      if (code === 'NOT_CONFIGURED' || code === 'NOT_FOUND')
        this.set({ pending: null, credentials: 'missing' })
      else this.set({ pending: null, credentials: 'missing', error: toError(error, 'load') })
    }
  }

  /** Checks credentials against Twilio without storing them. */
  async verify(body: TwilioCredentialsRequest): Promise<boolean> {
    this.set({ pending: 'verifying', error: null })
    try {
      const verified = await this.api.twilio.verifyCredentials(body)
      const integration = isIntegration(verified) ? verified : null
      this.set({ pending: null, credentials: 'verified', integration })
      return true
    } catch (error) {
      this.set({ pending: null, credentials: 'invalid', error: toError(error, 'verify') })
      return false
    }
  }

  /** Stores the credentials (encrypted on the server), then lists the account's numbers. */
  async save(body: TwilioCredentialsRequest): Promise<boolean> {
    this.set({ pending: 'saving', error: null })
    try {
      const integration = await this.api.twilio.saveCredentials(body)
      this.set({ pending: null, credentials: 'saved', integration: integration ?? null })
    } catch (error) {
      this.set({ pending: null, error: toError(error, 'save') })
      return false
    }
    await this.listNumbers()
    return true
  }

  /** Deletes the stored credentials. */
  async removeCredentials(): Promise<boolean> {
    this.set({ pending: 'removing', error: null })
    try {
      await this.api.twilio.deleteCredentials()
      this.set({
        pending: null,
        credentials: 'missing',
        integration: null,
        numbers: [],
        connections: {},
        statusProblems: {},
        connectProgress: null,
      })
      return true
    } catch (error) {
      this.set({ pending: null, error: toError(error, 'remove') })
      return false
    }
  }

  /** Lists the numbers of the Twilio account. */
  async listNumbers() {
    this.set({ pending: 'listing', error: null })
    try {
      const numbers = await this.api.twilio.listNumbers()
      this.set({ pending: null, numbers })
    } catch (error) {
      this.set({ pending: null, error: toError(error, 'list') })
    }
  }

  /** Connects a number: 25 % account checked, 50 % trunk and routing provisioned, 75 % status checked, 100 % live. */
  async connect(sid: string, body?: ConnectNumberRequest): Promise<NumberConnection | null> {
    const stage = (s: ConnectStage, failed = false) => ({
      sid,
      stage: s,
      progress: STAGE_PROGRESS[s],
      failed,
    })
    this.set({ pending: 'connecting', error: null, connectProgress: stage('account') })
    try {
      this.set({ connectProgress: stage('provisioning') })
      const result = await this.api.twilio.connectNumber(sid, body)
      this.set({
        connectProgress: stage('checking'),
        connections: { ...this.state.connections, [sid]: result },
      })
      const status = await this.api.twilio.numberStatus(sid)
      const numbers = this.state.numbers.map((n) =>
        n.sid === sid ? { ...n, connected: status.status === 'connected', trunkSid: status.trunkSid } : n,
      )
      const { connections, statusProblems } = this.withStatus(sid, status)
      if (status.status !== 'connected') {
        this.set({
          pending: null,
          numbers,
          connections,
          statusProblems,
          connectProgress: stage('checking', true),
          error: {
            code: 'UPSTREAM_ERROR',
            message: status.drift.length
              ? `The number is only partly connected: ${status.drift.join('; ')}.`
              : 'The number is only partly connected.',
            operation: 'connect',
          },
        })
        return status
      }
      this.set({ pending: null, numbers, connections, statusProblems, connectProgress: stage('done') })
      return status
    } catch (error) {
      const current = this.state.connectProgress?.stage ?? 'account'
      this.set({ pending: null, connectProgress: stage(current, true), error: toError(error, 'connect') })
      return null
    }
  }

  /** Disconnects a number: removes it from the trunk and its LiveKit routing. */
  async disconnect(sid: string): Promise<boolean> {
    this.set({ pending: 'disconnecting', error: null })
    try {
      const result = await this.api.twilio.disconnectNumber(sid)
      const connection = isConnection(result) ? result : null
      this.set({
        pending: null,
        numbers: this.state.numbers.map((n) =>
          n.sid === sid ? { ...n, connected: false, trunkSid: null } : n,
        ),
        connections: connection ? { ...this.state.connections, [sid]: connection } : this.state.connections,
        connectProgress: this.state.connectProgress?.sid === sid ? null : this.state.connectProgress,
      })
      return true
    } catch (error) {
      this.set({ pending: null, error: toError(error, 'disconnect') })
      return false
    }
  }

  /** `connections` and `statusProblems` with a freshly read status of `sid`. */
  private withStatus(sid: string, status: NumberConnection) {
    const { [sid]: _solved, ...statusProblems } = this.state.statusProblems
    return { connections: { ...this.state.connections, [sid]: status }, statusProblems }
  }

  /** Reads a number's live status (stored vs Twilio, drift called out). */
  async refreshStatus(sid: string) {
    this.set({ pending: 'checking', error: null })
    try {
      const status = await this.api.twilio.numberStatus(sid)
      this.set({ pending: null, ...this.withStatus(sid, status) })
    } catch (error) {
      this.set({ pending: null, error: toError(error, 'status') })
    }
  }

  /**
   * Reads a number's status quietly, for details shown on their own: no `pending`, no error banner (a failure goes to
   * `statusProblems[sid]`). One request per number in flight: a read of a number already being read joins it. The
   * request is aborted once every caller's `signal` aborted; an aborted read changes nothing and resolves to null.
   */
  readStatus(sid: string, signal?: AbortSignal): Promise<NumberConnection | null> {
    if (signal?.aborted) return Promise.resolve(null)
    let read = this.reads.get(sid)
    if (!read) {
      const controller = new AbortController()
      const promise = this.api.twilio.numberStatus(sid, controller.signal).then(
        (status) => {
          if (this.reads.get(sid) === read) this.reads.delete(sid)
          if (controller.signal.aborted) return null
          this.set(this.withStatus(sid, status))
          return status
        },
        (error: unknown) => {
          if (this.reads.get(sid) === read) this.reads.delete(sid)
          if (controller.signal.aborted) return null
          const { code, message } = toError(error, 'status')
          this.set({ statusProblems: { ...this.state.statusProblems, [sid]: { code, message } } })
          return null
        },
      )
      read = { controller, waiting: 0, promise }
      this.reads.set(sid, read)
    }
    const current = read
    current.waiting += 1
    if (!signal) return current.promise
    // Without a signal a caller waits for good; with one, it leaves when aborted, and the last to leave cancels.
    signal.addEventListener(
      'abort',
      () => {
        current.waiting -= 1
        if (current.waiting > 0) return
        current.controller.abort()
        if (this.reads.get(sid) === current) this.reads.delete(sid)
      },
      { once: true },
    )
    return Promise.race([
      current.promise,
      new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true })),
    ])
  }

  /** Clears the error banner. */
  dismissError() {
    this.set({ error: null })
  }
}
