import { delay, type HttpHandler, HttpResponse, http } from 'msw'
import { type SetupServerApi, setupServer } from 'msw/node'
import { defaultCode, errorResponse } from './format'
import { type Account, type ApiKey, makeAccount, makeNumber, snapshot } from './model'
import type { SimCore } from './routeKit'
import { matchRoute, ROUTES } from './routes'
import type {
  SimAccountCredentials,
  SimAccountSeed,
  SimAccountState,
  SimNumberSeed,
  SimRequestLog,
  TwilioFault,
  TwilioFaultHandle,
  TwilioSimulatorOptions,
} from './types'
import { createSimVoice, type SimVoice, statusCallbackOf } from './voice'

/** Hosts the simulator answers: `api`/`trunking` with optional edge and region labels. */
const TWILIO_PRODUCT_HOST = /^https:\/\/(api|trunking)(\.[a-z0-9-]+)*\.twilio\.com\//
/** Any other Twilio host: answered 404 so nothing leaks to the real network. */
const ANY_TWILIO_HOST = /^https:\/\/([a-z0-9-]+\.)*twilio\.com\//

/** The simulator returned by {@link createTwilioSimulator}. */
export interface TwilioSimulator {
  /** MSW handlers to mount in your own `setupServer(...)`/`server.use(...)`. */
  readonly handlers: HttpHandler[]
  /** Start an MSW server with only these handlers (other hosts bypass by default). */
  listen(options?: Parameters<SetupServerApi['listen']>[0]): SetupServerApi
  /** Stop the server started by `listen`. */
  close(): void
  /** Credentials of a seeded account (by SID or seed index). */
  account(ref: string | number): SimAccountCredentials
  /** Deep-copied state of an account, for assertions. */
  state(accountSid: string): SimAccountState
  /** Add a number to an account after start. */
  addNumber(accountSid: string, seed: SimNumberSeed): SimAccountState['numbers'][number]
  /** Turn Elastic SIP Trunking on or off for an account. */
  setTrunkingEnabled(accountSid: string, enabled: boolean): void
  /** Inject a fault on a route id (`trunks.create`), a group (`trunks.*`) or every route (`*`). */
  fault(route: string, fault: TwilioFault): TwilioFaultHandle
  /** Remove every fault. */
  clearFaults(): void
  /** Requests answered so far (auth never recorded, passwords redacted). */
  readonly requests: readonly SimRequestLog[]
  /** Restore the seeded state and drop faults and the request log. */
  reset(): void
  /** Every route id the simulator knows. */
  readonly routeIds: readonly string[]
  /** Programmable Voice: browsers and phones placing calls, with signed webhooks to your app. */
  readonly voice: SimVoice
  /** Resolves once status callbacks triggered by REST calls (e.g. hanging a call up) were delivered. */
  flushWebhooks(): Promise<void>
}

interface ActiveFault extends TwilioFault {
  route: string
  remaining: number
  hits: number
}

type Principal = { account: Account; key: ApiKey | null }

function authenticate(accounts: Map<string, Account>, header: string | null): Principal | null {
  if (!header?.startsWith('Basic ')) return null
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  const user = decoded.slice(0, colon)
  const pass = decoded.slice(colon + 1)
  if (user.startsWith('AC')) {
    const account = accounts.get(user)
    return account && account.authToken === pass ? { account, key: null } : null
  }
  if (user.startsWith('SK')) {
    for (const account of accounts.values()) {
      const key = account.keys.get(user)
      if (key) return key.secret === pass ? { account, key } : null
    }
  }
  return null
}

function faultMatches(f: ActiveFault, routeId: string, method: string, accountSid: string): boolean {
  if (f.remaining <= 0) return false
  if (f.accountSid && f.accountSid !== accountSid) return false
  if (f.method && f.method.toUpperCase() !== method) return false
  if (f.route === '*' || f.route === routeId) return true
  return f.route.endsWith('.*') && routeId.startsWith(f.route.slice(0, -1))
}

function faultResponse(f: ActiveFault): Response {
  if (f.networkError) return HttpResponse.error()
  const status = f.status ?? 500
  const headers: Record<string, string> = {}
  if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter)
  return errorResponse(status, f.code ?? defaultCode(status), f.message, headers)
}

function redact(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of params) out[k] = /password|secret|token/i.test(k) ? '[redacted]' : v
  return out
}

/**
 * An in-process simulator of the Twilio REST endpoints Ringline uses (Elastic SIP Trunking v1 and api 2010),
 * served through MSW so the real `twilio` package talks to it unchanged.
 * @example const sim = createTwilioSimulator({ accounts: [{ numbers: [{ phoneNumber: '+14155550100' }] }] }); sim.listen()
 */
export function createTwilioSimulator(options: TwilioSimulatorOptions): TwilioSimulator {
  const now = options.now ?? (() => new Date())
  const seeds: SimAccountSeed[] = options.accounts.map((seed) => ({ ...seed }))
  // Fix generated identifiers once, so `reset()` restores the same SIDs and secrets.
  const accounts = new Map<string, Account>()
  const core: SimCore = {
    now,
    attachConflict: options.attachConflict ?? 'reassign',
    reservedDomains: new Set(),
  }
  const voice = createSimVoice(() => accounts, now)
  if (options.webhookTarget) voice.setWebhookTarget(options.webhookTarget)
  const deliveries = new Set<Promise<unknown>>()
  core.onCallStatus = (account, call) => {
    const callback = statusCallbackOf(call, account)
    if (!callback) return
    const p: Promise<unknown> = voice
      .post(account.sid, callback.url, callback.params)
      .catch(() => undefined)
      .finally(() => deliveries.delete(p))
    deliveries.add(p)
  }
  const faults: ActiveFault[] = []
  const requests: SimRequestLog[] = []
  let server: SetupServerApi | null = null

  const build = () => {
    accounts.clear()
    core.reservedDomains.clear()
    seeds.forEach((seed, i) => {
      const account = makeAccount(seed, now())
      // Pin what was generated so a reset reproduces it.
      seeds[i] = {
        ...seed,
        sid: account.sid,
        authToken: account.authToken,
        keys: [...account.keys.values()].map((k) => ({
          sid: k.sid,
          secret: k.secret,
          type: k.type,
          allow: k.allow,
          friendlyName: k.friendlyName,
        })),
        trunks: [...account.trunks.values()].map((t) => ({
          sid: t.sid,
          friendlyName: t.friendlyName,
          domainName: t.domainName,
        })),
        numbers: [...account.numbers.values()].map((n) => ({
          sid: n.sid,
          phoneNumber: n.phoneNumber,
          friendlyName: n.friendlyName,
          capabilities: n.capabilities,
          trunkSid: n.trunkSid,
          voiceUrl: n.voiceUrl,
          voiceApplicationSid: n.voiceApplicationSid,
        })),
      }
      if (accounts.has(account.sid)) throw new Error(`Simulator seed: account ${account.sid} given twice`)
      accounts.set(account.sid, account)
      for (const t of account.trunks.values()) if (t.domainName) core.reservedDomains.add(t.domainName)
    })
  }
  build()

  const getAccount = (sid: string): Account => {
    const a = accounts.get(sid)
    if (!a) throw new Error(`Twilio simulator: no account ${sid}`)
    return a
  }

  const log = (entry: SimRequestLog, res: Response): Response => {
    requests.push(entry)
    return res
  }

  const resolve = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const product = url.hostname.split('.')[0] === 'trunking' ? 'trunking' : 'api'
    const method = request.method.toUpperCase()
    const text = method === 'GET' || method === 'DELETE' ? '' : await request.text()
    const body = new URLSearchParams(text)
    const entry: SimRequestLog = {
      routeId: null,
      method,
      url: url.href,
      status: 0,
      accountSid: null,
      params: redact(body),
      fault: false,
    }
    const done = (res: Response) => {
      entry.status = res.status
      return log(entry, res)
    }

    const principal = authenticate(accounts, request.headers.get('authorization'))
    if (!principal) return done(errorResponse(401, 20003, 'Authenticate'))
    entry.accountSid = principal.account.sid

    const match = matchRoute(method, product, url.pathname)
    if (!match.route) {
      return done(
        match.methodMismatch
          ? errorResponse(405, 20004, 'Method not allowed')
          : errorResponse(404, 20404, `The requested resource ${url.pathname} was not found`),
      )
    }
    const { route, params } = match
    entry.routeId = route.id
    const account = principal.account
    // api 2010 paths name the account; credentials of another account are rejected like Twilio does.
    if (params.accountSid !== undefined && params.accountSid !== account.sid)
      return done(errorResponse(401, 20003, 'Authenticate'))
    const key = principal.key
    if (key && route.mainKeyOnly && key.type !== 'main') {
      return done(errorResponse(403, 20403, 'Standard and restricted API keys cannot access this resource'))
    }
    if (key?.type === 'restricted' && !key.allow.includes(product)) {
      return done(
        errorResponse(403, 70051, 'Authorization Failed: the API key lacks a permission for this resource'),
      )
    }
    if (product === 'trunking' && !account.trunkingEnabled) {
      return done(errorResponse(403, 10002, 'Elastic SIP Trunking is not enabled for this account'))
    }

    const fault = faults.find((f) => faultMatches(f, route.id, method, account.sid))
    if (fault) {
      fault.remaining -= 1
      fault.hits += 1
      if (fault.until) await fault.until.catch(() => undefined)
      if (fault.delayMs) await delay(fault.delayMs)
    }
    const failing = fault && (fault.status !== undefined || fault.networkError) ? fault : null
    if (failing && failing.when !== 'after') {
      entry.fault = true
      return done(faultResponse(failing))
    }
    const res = route.handle({ account, params, body, url, core })
    if (failing) {
      entry.fault = true
      return done(faultResponse(failing))
    }
    return done(res)
  }

  const handlers: HttpHandler[] = [
    http.all(TWILIO_PRODUCT_HOST, ({ request }) => resolve(request)),
    http.all(ANY_TWILIO_HOST, ({ request }) =>
      errorResponse(404, 20404, `The requested resource ${new URL(request.url).pathname} was not found`),
    ),
  ]

  return {
    handlers,
    listen(listenOptions) {
      if (server) return server
      server = setupServer(...handlers)
      server.listen({ onUnhandledRequest: 'bypass', ...listenOptions })
      return server
    },
    close() {
      server?.close()
      server = null
    },
    account(ref) {
      const a = typeof ref === 'number' ? [...accounts.values()][ref] : accounts.get(ref)
      if (!a) throw new Error(`Twilio simulator: no account ${String(ref)}`)
      return {
        sid: a.sid,
        authToken: a.authToken,
        keys: [...a.keys.values()].map((k) => ({ sid: k.sid, secret: k.secret, type: k.type })),
      }
    },
    state: (accountSid) => snapshot(getAccount(accountSid)),
    addNumber(accountSid, seed) {
      const a = getAccount(accountSid)
      const n = makeNumber(a.sid, seed, now())
      if (n.trunkSid && !a.trunks.has(n.trunkSid))
        throw new Error(`Twilio simulator: trunk ${n.trunkSid} is not in account ${a.sid}`)
      a.numbers.set(n.sid, n)
      const copy = snapshot(a).numbers.find((x) => x.sid === n.sid)
      if (!copy) throw new Error('unreachable')
      return copy
    },
    setTrunkingEnabled(accountSid, enabled) {
      getAccount(accountSid).trunkingEnabled = enabled
    },
    fault(routeRef, spec) {
      if (
        routeRef !== '*' &&
        !ROUTES.some(
          (r) => r.id === routeRef || (routeRef.endsWith('.*') && r.id.startsWith(routeRef.slice(0, -1))),
        )
      ) {
        throw new Error(
          `Twilio simulator: unknown route "${routeRef}". Known: ${ROUTES.map((r) => r.id).join(', ')}`,
        )
      }
      const f: ActiveFault = { ...spec, route: routeRef, remaining: spec.times ?? 1, hits: 0 }
      faults.push(f)
      return {
        get remaining() {
          return f.remaining
        },
        get hits() {
          return f.hits
        },
        remove() {
          const i = faults.indexOf(f)
          if (i >= 0) faults.splice(i, 1)
        },
      }
    },
    clearFaults() {
      faults.length = 0
    },
    get requests() {
      return requests
    },
    reset() {
      faults.length = 0
      requests.length = 0
      build()
    },
    routeIds: ROUTES.map((r) => r.id),
    voice,
    async flushWebhooks() {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries])
    },
  }
}
