import { inject } from 'vitest'
import { createRingline, type Ringline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore, Transaction } from '../src/sql/types'
import type { Logger, Principal, RinglineConfig } from '../src/types'

export const API_KEY = 'APItestkey'
export const API_SECRET = 'test-secret-that-is-at-least-32-characters-long'
export const ORIGIN = 'https://app.example.com'

/** Principals keyed by the bearer token a test request carries. */
export const USERS: Record<string, Principal> = {
  alice: { userId: 'alice', tenantId: 'acme', name: 'Alice', role: 'member' },
  bob: { userId: 'bob', tenantId: 'acme', name: 'Bob', role: 'member' },
  admin: { userId: 'root', tenantId: 'acme', name: 'Admin', role: 'admin' },
  eve: { userId: 'eve', tenantId: 'globex', name: 'Eve', role: 'member' },
}

/** `authorize` for tests: `Authorization: Bearer <user key>`. */
export async function testAuthorize(request: Request): Promise<Principal | null> {
  const key = request.headers.get('authorization')?.replace(/^Bearer /, '')
  return (key && USERS[key]) || null
}

/** A logger that keeps every line, to assert on (and search for secrets). */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const push = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    // Errors as their name, message and cause (JSON.stringify alone gives `{}`), so a failing test can print them.
    const errors = (_key: string, value: unknown) =>
      value instanceof Error
        ? {
            name: value.name,
            message: value.message,
            ...(value.cause === undefined ? {} : { cause: value.cause }),
          }
        : value
    lines.push(JSON.stringify({ level, message, fields }, errors))
  }
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') }
}

/** A Ringline on an in-memory store with a LiveKit URL where nothing listens (routes that need LiveKit fail cleanly). */
export function testRingline(
  overrides: Partial<RinglineConfig> = {},
): Ringline & { logger: ReturnType<typeof captureLogger> } {
  const logger = captureLogger()
  const ringline = createRingline({
    livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
    sip: { outboundTrunkId: 'ST_test', callerId: '+14155550100' },
    store: memoryStore(),
    authorize: testAuthorize,
    logger,
    ...overrides,
  })
  return Object.assign(ringline, { logger })
}

/** A JSON request as a same-origin browser would send it. */
export function req(
  method: string,
  path: string,
  options: { user?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Request {
  const headers = new Headers({ origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...options.headers })
  if (options.user) headers.set('authorization', `Bearer ${options.user}`)
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined || method !== 'GET') body = JSON.stringify(options.body ?? {})
  if (method !== 'GET' && !headers.has('content-type')) headers.set('content-type', 'application/json')
  return new Request(`${ORIGIN}/api/ringline${path}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body }),
  })
}

let dbCounter = 0

/** Creates an empty database on the test PostgreSQL cluster and returns its URL. */
export async function freshDatabaseUrl(): Promise<string> {
  dbCounter += 1
  const name = `t_${process.pid}_${Date.now().toString(36)}_${dbCounter}`
  const pg = await import('pg')
  const client = new pg.default.Client({ connectionString: inject('postgresUrl') })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name}"`)
  } finally {
    await client.end()
  }
  const url = new URL(inject('postgresUrl'))
  url.pathname = `/${name}`
  return url.toString()
}

/** `count` server instances on one fresh PostgreSQL database (as in production behind a load balancer), ready. */
export async function instancesOnOnePostgres(
  count = 2,
  overrides: Partial<RinglineConfig> = {},
): Promise<Ringline[]> {
  const url = await freshDatabaseUrl()
  const instances = Array.from({ length: count }, () =>
    createRingline({
      livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
      store: postgresStore({ connectionString: url }),
      authorize: testAuthorize,
      logger: captureLogger(),
      reconcileIntervalSeconds: 0,
      ...overrides,
    }),
  )
  await Promise.all(instances.map((r) => r.ready()))
  return instances
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The stores this project runs the store suites on (server-unit: PGlite, server-integration: PostgreSQL). */
    storeKinds: StoreKind[]
  }
}

/** A store the store suites run on. */
export type StoreKind = 'pglite' | 'postgres'

const MAKE_STORE: Record<StoreKind, () => Promise<RinglineStore>> = {
  pglite: async () => memoryStore(),
  postgres: async () => postgresStore({ connectionString: await freshDatabaseUrl() }),
}

/** The stores the store suites run on in this project: in-memory PGlite and/or a fresh PostgreSQL database. */
export const STORE_KINDS: Array<[StoreKind, () => Promise<RinglineStore>]> = inject('storeKinds').map(
  (kind) => [kind, MAKE_STORE[kind]],
)

/** `base` whose transactions hand their callback `tx` changed by `change` (a test's view of their statements). */
export function wrapTransactions(
  base: RinglineStore,
  change: (tx: Transaction) => Partial<Transaction>,
): RinglineStore {
  return { ...base, transaction: (fn) => base.transaction((tx) => fn({ ...tx, ...change(tx) })) }
}
