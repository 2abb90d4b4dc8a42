// Bring-your-own-Twilio-number onboarding as an observer: credentials, numbers and the staged connect of a number
// over the `/twilio/...` routes. Framework-free; React binds it with useSyncExternalStore.
// The observer keeps the snapshot and subscriptions; the operations (twilioOnboardingRun.ts) load with import() as
// the first observer is created, so a page without onboarding UI carries only this facade.
import { lazyModule } from './lazyModule'
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

/** The step a snapshot is at. */
function stepOf(state: TwilioOnboardingState): TwilioOnboardingStep {
  if (state.credentials === 'unknown') return 'loading'
  if (state.credentials !== 'saved') return 'credentials'
  const anyConnected =
    state.numbers.some((n) => n.connected) ||
    Object.values(state.connections).some((c) => c.status === 'connected')
  return anyConnected ? 'connected' : 'numbers'
}

/** The operations' module, loaded on first use. Internal (tests provide it). */
export const onboardingOperations = /* @__PURE__ */ lazyModule(() => import('./twilioOnboardingRun'))
type Operations = typeof import('./twilioOnboardingRun')

/** What the operations read and change of an observer. Internal. */
export interface OnboardingHost {
  readonly state: TwilioOnboardingState
  readonly api: TwilioOnboardingApi
  set(patch: Partial<TwilioOnboardingState>): void
  /** Quiet status reads in flight, one per number SID, with the callers still waiting for them. */
  readonly reads: Map<
    string,
    { controller: AbortController; waiting: number; promise: Promise<NumberConnection | null> }
  >
}

/** Bring-your-own-Twilio-number onboarding over the `/twilio/...` routes, observable like the call client. */
export class TwilioOnboardingObserver extends Subscribable {
  private state: TwilioOnboardingState = INITIAL_ONBOARDING
  private api: TwilioOnboardingApi
  private host: OnboardingHost

  /** Loads the operations ahead of the first observer (e.g. with the settings page's code). */
  static preload(): Promise<void> {
    return onboardingOperations.load().then(() => undefined)
  }

  constructor(api: TwilioOnboardingApi) {
    super()
    this.api = api
    const self = this
    this.host = {
      get state() {
        return self.state
      },
      get api() {
        return self.api
      },
      set: (patch) => this.set(patch),
      reads: new Map(),
    }
    // Fetch the operations now, so the first one rarely waits; a failure shows when an operation runs.
    onboardingOperations.load().catch(() => {})
  }

  getSnapshot = (): TwilioOnboardingState => this.state

  setApi(api: TwilioOnboardingApi) {
    this.api = api
  }

  private set(patch: Partial<TwilioOnboardingState>) {
    const next = { ...this.state, ...patch }
    next.step = stepOf(next)
    this.state = next
    for (const listener of this.listeners) listener()
  }

  /**
   * Runs an operation now when its module is loaded, else once it is; a module that fails to load is reported as
   * the operation's error (the operations never reject) and the next operation tries the import again.
   */
  private run<R>(
    operation: TwilioOnboardingOperation,
    failed: R,
    op: (m: Operations) => Promise<R>,
  ): Promise<R> {
    const loaded = onboardingOperations.loaded
    if (loaded) return op(loaded)
    return onboardingOperations.load().then(op, (error: unknown) => {
      const e = error as { message?: string } | null
      this.set({
        pending: null,
        error: { code: 'NETWORK_ERROR', message: e?.message ?? 'Could not load.', operation },
      })
      return failed
    })
  }

  /** Finds out whether credentials are stored (`GET /twilio/credentials`, else by listing numbers), then lists numbers. */
  load(): Promise<void> {
    return this.run('load', undefined, (m) => m.load(this.host))
  }

  /** Checks credentials against Twilio without storing them. */
  verify(body: TwilioCredentialsRequest): Promise<boolean> {
    return this.run('verify', false, (m) => m.verify(this.host, body))
  }

  /** Stores the credentials (encrypted on the server), then lists the account's numbers. */
  save(body: TwilioCredentialsRequest): Promise<boolean> {
    return this.run('save', false, (m) => m.save(this.host, body))
  }

  /** Deletes the stored credentials. */
  removeCredentials(): Promise<boolean> {
    return this.run('remove', false, (m) => m.removeCredentials(this.host))
  }

  /** Lists the numbers of the Twilio account. */
  listNumbers(): Promise<void> {
    return this.run('list', undefined, (m) => m.listNumbers(this.host))
  }

  /** Connects a number: 25 % account checked, 50 % trunk and routing provisioned, 75 % status checked, 100 % live. */
  connect(sid: string, body?: ConnectNumberRequest): Promise<NumberConnection | null> {
    return this.run('connect', null, (m) => m.connect(this.host, sid, body))
  }

  /** Disconnects a number: removes it from the trunk and its LiveKit routing. */
  disconnect(sid: string): Promise<boolean> {
    return this.run('disconnect', false, (m) => m.disconnect(this.host, sid))
  }

  /** Reads a number's live status (stored vs Twilio, drift called out). */
  refreshStatus(sid: string): Promise<void> {
    return this.run('status', undefined, (m) => m.refreshStatus(this.host, sid))
  }

  /**
   * Reads a number's status quietly, for details shown on their own: no `pending`, no error banner (a failure goes to
   * `statusProblems[sid]`). One request per number in flight: a read of a number already being read joins it. The
   * request is aborted once every caller's `signal` aborted; an aborted read changes nothing and resolves to null.
   */
  readStatus(sid: string, signal?: AbortSignal): Promise<NumberConnection | null> {
    const loaded = onboardingOperations.loaded
    if (loaded) return loaded.readStatus(this.host, sid, signal)
    return onboardingOperations.load().then(
      (m) => m.readStatus(this.host, sid, signal),
      (error: unknown) => {
        const message = (error as { message?: string } | null)?.message ?? 'Could not load.'
        this.set({
          statusProblems: { ...this.state.statusProblems, [sid]: { code: 'NETWORK_ERROR', message } },
        })
        return null
      },
    )
  }

  /** Clears the error banner. */
  dismissError() {
    this.set({ error: null })
  }
}
