// The operations of TwilioOnboardingObserver, loaded with import() on the observer's first use (the observer starts
// the load as it is created): the observer keeps the snapshot and subscriptions, this module does the requests.
import type {
  ConnectNumberRequest,
  NumberConnection,
  TwilioCredentialsRequest,
  TwilioIntegration,
} from './protocol'
import type { ConnectStage, OnboardingHost, TwilioOnboardingOperation } from './twilioOnboardingObserver'

function isIntegration(value: unknown): value is TwilioIntegration {
  return typeof value === 'object' && value !== null && 'accountSid' in value && 'status' in value
}

function isConnection(value: unknown): value is NumberConnection {
  return typeof value === 'object' && value !== null && 'phoneNumberSid' in value && 'status' in value
}

const STAGE_PROGRESS = { account: 25, provisioning: 50, checking: 75, done: 100 } as const

/** The error of a failed operation, as the snapshot holds it. */
export function toError(error: unknown, operation: TwilioOnboardingOperation) {
  const e = error as { code?: string; message?: string } | null
  return { code: e?.code ?? 'INTERNAL', message: e?.message ?? 'Something went wrong.', operation }
}

/** Finds out whether credentials are stored (`GET /twilio/credentials`, else by listing numbers), then lists numbers. */
export async function load(o: OnboardingHost) {
  o.set({ pending: 'loading', error: null })
  try {
    if (o.api.twilio.getCredentials) {
      const { integration } = await o.api.twilio.getCredentials()
      if (!integration) {
        o.set({ pending: null, credentials: 'missing', integration: null })
        return
      }
      o.set({ integration })
    }
    const numbers = await o.api.twilio.listNumbers()
    o.set({ pending: null, credentials: 'saved', numbers })
  } catch (error) {
    const code = (error as { code?: string })?.code
    if (code === 'NOT_CONFIGURED' || code === 'NOT_FOUND') o.set({ pending: null, credentials: 'missing' })
    else o.set({ pending: null, credentials: 'missing', error: toError(error, 'load') })
  }
}

/** Checks credentials against Twilio without storing them. */
export async function verify(o: OnboardingHost, body: TwilioCredentialsRequest): Promise<boolean> {
  o.set({ pending: 'verifying', error: null })
  try {
    const verified = await o.api.twilio.verifyCredentials(body)
    const integration = isIntegration(verified) ? verified : null
    o.set({ pending: null, credentials: 'verified', integration })
    return true
  } catch (error) {
    o.set({ pending: null, credentials: 'invalid', error: toError(error, 'verify') })
    return false
  }
}

/** Stores the credentials (encrypted on the server), then lists the account's numbers. */
export async function save(o: OnboardingHost, body: TwilioCredentialsRequest): Promise<boolean> {
  o.set({ pending: 'saving', error: null })
  try {
    const integration = await o.api.twilio.saveCredentials(body)
    o.set({ pending: null, credentials: 'saved', integration: integration ?? null })
  } catch (error) {
    o.set({ pending: null, error: toError(error, 'save') })
    return false
  }
  await listNumbers(o)
  return true
}

/** Deletes the stored credentials. */
export async function removeCredentials(o: OnboardingHost): Promise<boolean> {
  o.set({ pending: 'removing', error: null })
  try {
    await o.api.twilio.deleteCredentials()
    o.set({
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
    o.set({ pending: null, error: toError(error, 'remove') })
    return false
  }
}

/** Lists the numbers of the Twilio account. */
export async function listNumbers(o: OnboardingHost) {
  o.set({ pending: 'listing', error: null })
  try {
    const numbers = await o.api.twilio.listNumbers()
    o.set({ pending: null, numbers })
  } catch (error) {
    o.set({ pending: null, error: toError(error, 'list') })
  }
}

/** Connects a number: 25 % account checked, 50 % trunk and routing provisioned, 75 % status checked, 100 % live. */
export async function connect(
  o: OnboardingHost,
  sid: string,
  body?: ConnectNumberRequest,
): Promise<NumberConnection | null> {
  const stage = (s: ConnectStage, failed = false) => ({
    sid,
    stage: s,
    progress: STAGE_PROGRESS[s],
    failed,
  })
  o.set({ pending: 'connecting', error: null, connectProgress: stage('account') })
  try {
    o.set({ connectProgress: stage('provisioning') })
    const result = await o.api.twilio.connectNumber(sid, body)
    o.set({
      connectProgress: stage('checking'),
      connections: { ...o.state.connections, [sid]: result },
    })
    const status = await o.api.twilio.numberStatus(sid)
    const numbers = o.state.numbers.map((n) =>
      n.sid === sid ? { ...n, connected: status.status === 'connected', trunkSid: status.trunkSid } : n,
    )
    const { connections, statusProblems } = withStatus(o, sid, status)
    if (status.status !== 'connected') {
      o.set({
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
    o.set({ pending: null, numbers, connections, statusProblems, connectProgress: stage('done') })
    return status
  } catch (error) {
    const current = o.state.connectProgress?.stage ?? 'account'
    o.set({ pending: null, connectProgress: stage(current, true), error: toError(error, 'connect') })
    return null
  }
}

/** Disconnects a number: removes it from the trunk and its LiveKit routing. */
export async function disconnect(o: OnboardingHost, sid: string): Promise<boolean> {
  o.set({ pending: 'disconnecting', error: null })
  try {
    const result = await o.api.twilio.disconnectNumber(sid)
    const connection = isConnection(result) ? result : null
    o.set({
      pending: null,
      numbers: o.state.numbers.map((n) => (n.sid === sid ? { ...n, connected: false, trunkSid: null } : n)),
      connections: connection ? { ...o.state.connections, [sid]: connection } : o.state.connections,
      connectProgress: o.state.connectProgress?.sid === sid ? null : o.state.connectProgress,
    })
    return true
  } catch (error) {
    o.set({ pending: null, error: toError(error, 'disconnect') })
    return false
  }
}

/** `connections` and `statusProblems` with a freshly read status of `sid`. */
function withStatus(o: OnboardingHost, sid: string, status: NumberConnection) {
  const { [sid]: _solved, ...statusProblems } = o.state.statusProblems
  return { connections: { ...o.state.connections, [sid]: status }, statusProblems }
}

/** Reads a number's live status (stored vs Twilio, drift called out). */
export async function refreshStatus(o: OnboardingHost, sid: string) {
  o.set({ pending: 'checking', error: null })
  try {
    const status = await o.api.twilio.numberStatus(sid)
    o.set({ pending: null, ...withStatus(o, sid, status) })
  } catch (error) {
    o.set({ pending: null, error: toError(error, 'status') })
  }
}

/** See {@link TwilioOnboardingObserver.readStatus}. */
export function readStatus(
  o: OnboardingHost,
  sid: string,
  signal?: AbortSignal,
): Promise<NumberConnection | null> {
  if (signal?.aborted) return Promise.resolve(null)
  let read = o.reads.get(sid)
  if (!read) {
    const controller = new AbortController()
    const promise = o.api.twilio.numberStatus(sid, controller.signal).then(
      (status) => {
        if (o.reads.get(sid) === read) o.reads.delete(sid)
        if (controller.signal.aborted) return null
        o.set(withStatus(o, sid, status))
        return status
      },
      (error: unknown) => {
        if (o.reads.get(sid) === read) o.reads.delete(sid)
        if (controller.signal.aborted) return null
        const { code, message } = toError(error, 'status')
        o.set({ statusProblems: { ...o.state.statusProblems, [sid]: { code, message } } })
        return null
      },
    )
    read = { controller, waiting: 0, promise }
    o.reads.set(sid, read)
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
      if (o.reads.get(sid) === current) o.reads.delete(sid)
    },
    { once: true },
  )
  return Promise.race([
    current.promise,
    new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true })),
  ])
}
