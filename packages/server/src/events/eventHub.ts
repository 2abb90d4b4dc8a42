import type { RinglineEvent } from '@ringline/core/protocol'
import { deferOrQuery, preparable } from '../sql/prepared'
import type { RinglineStore, Transaction } from '../sql/types'
import type { Logger } from '../types'

/** An event before the hub stamps its `id` and `at`. */
export type UnstampedEvent = RinglineEvent extends infer E
  ? E extends RinglineEvent
    ? Omit<E, 'id' | 'at'>
    : never
  : never

/** A subscriber's callback. */
export type EventListener = (event: RinglineEvent) => void

interface Buffered {
  event: RinglineEvent
  audience?: string[]
}

interface Subscriber {
  tenantId: string
  userId: string
  listener: EventListener
  /** Ends the subscriber's stream (an `/events` response); absent for in-process listeners. */
  close?: () => void
}

/**
 * This instance's subscribers by tenant, then user: a delivery, a presence check or a revocation touches only its
 * tenant's (or user's) streams, not every stream of the instance.
 */
class SubscriberIndex {
  private readonly tenants = new Map<string, Map<string, Set<Subscriber>>>()

  add(sub: Subscriber): void {
    let users = this.tenants.get(sub.tenantId)
    if (!users) {
      users = new Map()
      this.tenants.set(sub.tenantId, users)
    }
    let streams = users.get(sub.userId)
    if (!streams) {
      streams = new Set()
      users.set(sub.userId, streams)
    }
    streams.add(sub)
  }

  /** Removes `sub`; false when it was not there. */
  delete(sub: Subscriber): boolean {
    const users = this.tenants.get(sub.tenantId)
    const streams = users?.get(sub.userId)
    if (!users || !streams?.delete(sub)) return false
    if (streams.size === 0) users.delete(sub.userId)
    if (users.size === 0) this.tenants.delete(sub.tenantId)
    return true
  }

  /** One user's subscribers (empty when none). */
  of(tenantId: string, userId: string): ReadonlySet<Subscriber> {
    return this.tenants.get(tenantId)?.get(userId) ?? EMPTY
  }

  /** A tenant's subscribers by user id (empty when none). */
  tenant(tenantId: string): ReadonlyMap<string, ReadonlySet<Subscriber>> {
    return this.tenants.get(tenantId) ?? EMPTY_TENANT
  }

  /** Every (tenant, user) holding at least one subscriber. */
  *users(): Generator<[string, string]> {
    for (const [tenantId, users] of this.tenants) for (const userId of users.keys()) yield [tenantId, userId]
  }

  clear(): void {
    this.tenants.clear()
  }
}

const EMPTY: ReadonlySet<Subscriber> = new Set()
const EMPTY_TENANT: ReadonlyMap<string, ReadonlySet<Subscriber>> = new Map()

const CHANNEL = 'ringline_events'
/** How long a presence row counts without a heartbeat (the heartbeat runs every third of it). */
export const PRESENCE_TTL_SECONDS = 90
// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_NOTIFY_BYTES = 7900
const encoder = new TextEncoder()

/** How far back (before the loss) a re-established LISTEN looks for missed events; duplicates are skipped. */
const CATCH_UP_MARGIN_MS = 10_000
/** At most this many events are caught up after a LISTEN loss. */
const CATCH_UP_LIMIT = 5000
/** Logged events older than this are pruned (`pruneEventLog`): a stream resumes within this window. */
export const EVENT_LOG_RETENTION_HOURS = 1

interface LogRow {
  id: string
  audience: unknown
  event: unknown
}

/** jsonb comes back parsed from `pg` and PGlite; a driver returning text is handled too. */
function parsed(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value
}

function fromLog(row: LogRow): Buffered {
  const audience = parsed(row.audience) as string[] | null
  return { event: parsed(row.event) as RinglineEvent, ...(audience ? { audience } : {}) }
}

/** At most this many events are written (and announced) by one statement of `writeEvents`. */
const WRITE_BATCH = 256

/**
 * Appends events to `ringline_events` in the given order and, when `notifyPayloads` is given, sends those NOTIFYs
 * (in that order) in the same statement: one round trip, committed together (by `q`'s transaction, if any).
 */
async function writeEvents(
  q: Pick<Transaction, 'query' | 'defer'>,
  items: Array<{ tenantId: string; item: Buffered }>,
  notifyPayloads?: string[],
): Promise<void> {
  // One JSON text whatever the number of events, each event's JSON embedded as it is (no array-literal escaping):
  // one statement text, prepared once per connection.
  const rows = `[${items
    .map(
      ({ tenantId, item }) =>
        `{"i":${JSON.stringify(item.event.id)},"t":${JSON.stringify(tenantId)}${
          item.audience ? `,"a":${JSON.stringify(item.audience)}` : ''
        },"e":${eventJson(item.event)}}`,
    )
    .join(',')}]`
  const [sql, params] = notifyPayloads?.length
    ? [INSERT_EVENTS_AND_NOTIFY, [rows, CHANNEL, JSON.stringify(notifyPayloads)]]
    : [INSERT_EVENTS, [rows]]
  // In a transaction that can, the write goes out with its COMMIT (nothing reads its result).
  await deferOrQuery(q, sql, params)
}

const eventJsons = new WeakMap<RinglineEvent, string>()

/** An event's JSON, serialised once for both its log row and its NOTIFY payload. */
function eventJson(event: RinglineEvent): string {
  let json = eventJsons.get(event)
  if (json === undefined) {
    json = JSON.stringify(event)
    eventJsons.set(event, json)
  }
  return json
}

// The function scans yield their arrays in order: the events get their `seq` and the NOTIFYs queue in that order.
// An event without an audience has no `a` (SQL NULL, not JSON null).
const INSERT_EVENTS_SQL = `INSERT INTO ringline_events (id, tenant_id, audience, event)
  SELECT e->>'i', e->>'t', e->'a', e->'e' FROM jsonb_array_elements($1::jsonb) AS e ON CONFLICT (id) DO NOTHING`
const INSERT_EVENTS = preparable(INSERT_EVENTS_SQL)
const INSERT_EVENTS_AND_NOTIFY = preparable(`WITH logged AS (${INSERT_EVENTS_SQL}) ${notifySelect(2, 3)}`)

/** Sends NOTIFYs in the given order, in one statement. */
async function notifyAll(
  q: { query(sql: string, params?: unknown[]): Promise<unknown> },
  payloads: string[],
): Promise<void> {
  if (payloads.length === 0) return
  await q.query(notifySelect(1, 2), [CHANNEL, JSON.stringify(payloads)])
}

/** A SELECT that NOTIFYs channel `$channel` with each payload of the JSON array of strings `$payloads`, in order. */
function notifySelect(channel: number, payloads: number): string {
  return `SELECT count(pg_notify($${channel}, payload)) FROM jsonb_array_elements_text($${payloads}::jsonb) AS payload`
}

/** Forgets logged events older than `hours` (database clock); returns how many. Uses `ringline_events_created`. */
export async function pruneEventLog(
  q: { query(sql: string, params?: unknown[]): Promise<{ rowCount: number }> },
  hours = EVENT_LOG_RETENTION_HOURS,
): Promise<number> {
  const { rowCount } = await q.query(
    "DELETE FROM ringline_events WHERE created_at < now() - $1 * interval '1 hour'",
    [hours],
  )
  return rowCount
}

/**
 * Fans events out to the `/events` streams of a tenant: in-process always, and through PostgreSQL
 * `LISTEN/NOTIFY` when the store has it, so every instance on one database delivers every event.
 * Keeps a bounded buffer per tenant for `Last-Event-ID` resume, and tracks who is online.
 */
export class EventHub {
  private readonly instance = Math.random().toString(36).slice(2, 8)
  private seq = 0
  private readonly buffers = new Map<string, Buffered[]>()
  private readonly subscribers = new SubscriberIndex()
  private readonly publishHooks = new Set<(tenantId: string, event: RinglineEvent) => void>()
  private unlisten?: Promise<(() => Promise<void>) | undefined>
  private closed = false

  constructor(private readonly options: { bufferSize: number; store?: RinglineStore; logger: Logger }) {}

  private nextId(): string {
    this.seq += 1
    return `${Date.now().toString(36)}-${this.seq.toString(36)}-${this.instance}`
  }

  private remember(tenantId: string, item: Buffered): void {
    let buffer = this.buffers.get(tenantId)
    if (!buffer) {
      buffer = []
      this.buffers.set(tenantId, buffer)
    }
    buffer.push(item)
    if (buffer.length > this.options.bufferSize) buffer.splice(0, buffer.length - this.options.bufferSize)
  }

  private deliver(tenantId: string, item: Buffered): void {
    this.remember(tenantId, item)
    const users = this.subscribers.tenant(tenantId)
    if (users.size === 0) return
    if (item.audience) {
      // Only the audience's streams: an event for one user costs the same with 10 or 10,000 others online.
      for (const userId of new Set(item.audience)) {
        const streams = users.get(userId)
        if (streams) for (const sub of streams) this.deliverTo(sub, item.event)
      }
      return
    }
    for (const streams of users.values()) for (const sub of streams) this.deliverTo(sub, item.event)
  }

  private deliverTo(sub: Subscriber, event: RinglineEvent): void {
    try {
      sub.listener(event)
    } catch (error) {
      this.options.logger.warn('ringline: event listener failed', { error })
    }
  }

  /** Starts listening for other instances' events (idempotent; a no-op without LISTEN support). */
  listen(): Promise<unknown> {
    const store = this.options.store
    if (!store?.listen || this.closed) return Promise.resolve(undefined)
    this.unlisten ??= store
      .listen(CHANNEL, (payload) => this.receive(payload), {
        lost: (error) =>
          this.options.logger.warn('ringline: the LISTEN connection dropped; reconnecting', { error }),
        resubscribed: (lostAt) => {
          this.options.logger.info('ringline: listening again; catching up on the events missed meanwhile')
          this.catchUp(lostAt)
        },
      })
      .catch((error: unknown) => {
        this.options.logger.error('ringline: LISTEN failed; events from other instances will not arrive', {
          error,
        })
        this.unlisten = undefined
        return undefined
      })
    return this.unlisten
  }

  /**
   * After the LISTEN connection was lost at `lostAt`: delivers the other instances' events logged since (with a
   * margin, by the database's clock), except those this instance already has.
   */
  private catchUp(lostAt: Date): void {
    const store = this.options.store
    if (!store || this.closed) return
    const sinceMs = Date.now() - lostAt.getTime() + CATCH_UP_MARGIN_MS
    const own = `-${this.instance}`
    // Notifications arriving meanwhile wait behind the missed events, so a stream sees them in order.
    this.held ??= []
    this.catchingUp = this.catchingUp
      .then(async () => {
        const { rows } = await store.query<LogRow & { tenant_id: string }>(
          `SELECT id, tenant_id, audience, event FROM ringline_events
            WHERE created_at >= now() - $1 * interval '1 millisecond' ORDER BY seq LIMIT $2`,
          [sinceMs, CATCH_UP_LIMIT],
        )
        for (const row of rows) {
          if (this.closed) return
          if (row.id.endsWith(own) || this.has(row.tenant_id, row.id)) continue
          this.deliver(row.tenant_id, fromLog(row))
        }
      })
      .catch((error: unknown) => {
        this.options.logger.warn('ringline: could not catch up on missed events', { error })
      })
      .finally(() => {
        const held = this.held ?? []
        this.held = undefined
        for (const payload of held) this.receive(payload)
      })
  }

  private catchingUp: Promise<unknown> = Promise.resolve()
  private held: string[] | undefined

  private has(tenantId: string, id: string): boolean {
    return this.buffers.get(tenantId)?.some((b) => b.event.id === id) ?? false
  }

  private receive(payload: string): void {
    if (this.held) {
      this.held.push(payload)
      return
    }
    try {
      const message = JSON.parse(payload) as {
        o: string
        t: string
        a?: string[]
        e: RinglineEvent
        /** A control message: close this user's streams (`revokeUser` on another instance). */
        close?: string
      }
      if (message.o === this.instance) return
      if (typeof message.close === 'string') {
        this.closeLocalStreams(message.t, message.close)
        return
      }
      if (this.has(message.t, message.e.id)) return
      this.deliver(message.t, { event: message.e, ...(message.a ? { audience: message.a } : {}) })
    } catch (error) {
      this.options.logger.warn('ringline: bad event notification', { error })
    }
  }

  /**
   * Runs `publishing` (synchronous calls of `publish`) inside a transaction: the events' NOTIFYs go out through
   * `tx`, so PostgreSQL hands them to the other instances in commit order, and nothing is sent when the
   * transaction rolls back. Returns what delivers them to this instance's streams: call it after the commit.
   */
  async publishInTransaction(
    tx: Pick<Transaction, 'query' | 'defer'>,
    publishing: () => void,
  ): Promise<() => void> {
    const staged: Array<{ tenantId: string; item: Buffered }> = []
    this.staging = staged
    try {
      publishing()
    } finally {
      this.staging = undefined
    }
    if (this.options.store && staged.length > 0) {
      const payloads = this.options.store.notify ? this.payloads(staged) : undefined
      await writeEvents(tx, staged, payloads)
    }
    return () => {
      for (const { tenantId, item } of staged) this.deliverLocally(tenantId, item)
    }
  }

  private staging: Array<{ tenantId: string; item: Buffered }> | undefined
  // This instance's writes of published events go out one after another (a pool would otherwise reorder them);
  // the events published while one is in flight wait in `unwritten` and go out together in the next (group commit).
  private notifying: Promise<unknown> = Promise.resolve()
  private unwritten: Array<{ tenantId: string; item: Buffered }> = []
  private writeQueued = false

  /** The NOTIFY payloads of `items` (those small enough to be sent). */
  private payloads(items: Array<{ tenantId: string; item: Buffered }>): string[] {
    const out: string[] = []
    for (const { tenantId, item } of items) {
      const payload = this.payload(tenantId, item)
      if (payload) out.push(payload)
    }
    return out
  }

  /** Queues one write of every event published meanwhile, behind the write in flight. */
  private queueWrite(store: RinglineStore): void {
    if (this.writeQueued) return
    this.writeQueued = true
    this.notifying = this.notifying
      .then(async () => {
        this.writeQueued = false
        while (this.unwritten.length > 0) {
          const batch = this.unwritten.splice(0, WRITE_BATCH)
          const payloads = store.notify ? this.payloads(batch) : undefined
          try {
            await writeEvents(store, batch, payloads)
          } catch (error) {
            this.options.logger.warn(
              'ringline: could not log an event; a stream resuming elsewhere misses it',
              {
                error,
              },
            )
            // Announced all the same: the other instances' live streams still get them.
            if (payloads?.length) {
              await notifyAll(store, payloads).catch((notifyError: unknown) => {
                this.options.logger.warn('ringline: NOTIFY failed; other instances miss an event', {
                  error: notifyError,
                })
              })
            }
          }
        }
      })
      .catch((error: unknown) => {
        this.options.logger.warn('ringline: could not write published events', { error })
      })
  }

  private payload(tenantId: string, item: Buffered): string | null {
    // As JSON.stringify({ o, t, a, e }) writes it, with the event's JSON serialised once (see `eventJson`).
    const payload = `{"o":${JSON.stringify(this.instance)},"t":${JSON.stringify(tenantId)}${
      item.audience ? `,"a":${JSON.stringify(item.audience)}` : ''
    },"e":${eventJson(item.event)}}`
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a long payload is measured.
    if (payload.length * 3 < MAX_NOTIFY_BYTES || encoder.encode(payload).length < MAX_NOTIFY_BYTES)
      return payload
    this.options.logger.warn('ringline: event too large for NOTIFY; delivered on this instance only', {
      type: item.event.type,
    })
    return null
  }

  private deliverLocally(tenantId: string, item: Buffered): void {
    this.deliver(tenantId, item)
    for (const hook of this.publishHooks) {
      try {
        hook(tenantId, item.event)
      } catch (error) {
        this.options.logger.warn('ringline: event hook failed', { error })
      }
    }
  }

  /** Stamps and delivers an event to a tenant's streams (only to `audience` user ids when given). */
  publish(tenantId: string, event: UnstampedEvent, audience?: string[]): RinglineEvent {
    const stamped = { ...event, id: this.nextId(), at: new Date().toISOString() } as RinglineEvent
    const item: Buffered = { event: stamped, ...(audience ? { audience } : {}) }
    if (this.staging) {
      this.staging.push({ tenantId, item })
      return stamped
    }
    this.deliver(tenantId, item)
    for (const hook of this.publishHooks) {
      try {
        hook(tenantId, stamped)
      } catch (error) {
        this.options.logger.warn('ringline: event hook failed', { error })
      }
    }
    const store = this.options.store
    if (store && !this.closed) {
      // Logged (for resume anywhere) and announced to the other instances in one statement, in publish order.
      this.unwritten.push({ tenantId, item })
      this.queueWrite(store)
    }
    return stamped
  }

  /**
   * Subscribes a user to their tenant's events. `missed` holds the events after `lastEventId` for this user:
   * from this instance's buffer when it has that id, else (a promise) from the store's event log, so a stream
   * resumes on any instance (empty when the id is absent, or unknown and undated).
   */
  subscribe(
    sub: { tenantId: string; userId: string; lastEventId?: string | null; close?: () => void },
    listener: EventListener,
  ): { missed: RinglineEvent[] | Promise<RinglineEvent[]>; unsubscribe: () => void } {
    const entry: Subscriber = {
      tenantId: sub.tenantId,
      userId: sub.userId,
      listener,
      ...(sub.close ? { close: sub.close } : {}),
    }
    const first = this.streamCount(sub.tenantId, sub.userId) === 0
    this.subscribers.add(entry)
    if (first) this.presence('online', sub.tenantId, sub.userId)
    let missed: RinglineEvent[] | Promise<RinglineEvent[]> = []
    if (sub.lastEventId) {
      const buffer = this.buffers.get(sub.tenantId) ?? []
      const index = buffer.findIndex((b) => b.event.id === sub.lastEventId)
      if (index >= 0) {
        missed = buffer
          .slice(index + 1)
          .filter((b) => !b.audience || b.audience.includes(sub.userId))
          .map((b) => b.event)
      } else if (this.options.store) {
        missed = this.fromLog(sub.tenantId, sub.userId, sub.lastEventId)
      }
    }
    return {
      missed,
      unsubscribe: () => {
        if (!this.subscribers.delete(entry)) return
        if (this.streamCount(sub.tenantId, sub.userId) === 0)
          this.presence('offline', sub.tenantId, sub.userId)
      },
    }
  }

  /**
   * The logged events of a tenant after `lastEventId` that `userId` may see: after that event's row when the log
   * has it, else after the time the id carries (ids start with their publish time), at most `bufferSize`.
   */
  private async fromLog(tenantId: string, userId: string, lastEventId: string): Promise<RinglineEvent[]> {
    const store = this.options.store
    if (!store) return []
    try {
      await this.notifying
      const { rows: at } = await store.query<{ seq: string | number }>(
        'SELECT seq FROM ringline_events WHERE id = $1 AND tenant_id = $2',
        [lastEventId, tenantId],
      )
      let rows: LogRow[]
      if (at[0]) {
        ;({ rows } = await store.query<LogRow>(
          `SELECT id, audience, event FROM ringline_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          [tenantId, at[0].seq, this.options.bufferSize],
        ))
      } else {
        const time = Number.parseInt(lastEventId.split('-')[0] ?? '', 36)
        // An id of another server or too old to be logged: resume after its time, if it is a plausible one.
        if (!Number.isFinite(time) || time < Date.now() - 366 * 86_400_000 || time > Date.now() + 86_400_000)
          return []
        ;({ rows } = await store.query<LogRow>(
          `SELECT id, audience, event FROM ringline_events WHERE tenant_id = $1 AND created_at > $2
            ORDER BY seq LIMIT $3`,
          [tenantId, new Date(time).toISOString(), this.options.bufferSize],
        ))
      }
      return rows
        .map(fromLog)
        .filter((b) => b.event.id !== lastEventId && (!b.audience || b.audience.includes(userId)))
        .map((b) => b.event)
    } catch (error) {
      this.options.logger.warn('ringline: could not read the event log; the stream resumes without replay', {
        error,
      })
      return []
    }
  }

  private presenceTimer: ReturnType<typeof setInterval> | undefined
  private presenceWrites: Promise<unknown> = Promise.resolve()

  /**
   * Writes this instance's presence row for a user (`ringline_presence`), so every instance on the database sees
   * who is online; a heartbeat renews the rows of everyone online here, and a row outlives a dead instance by
   * `PRESENCE_TTL_SECONDS` at most.
   */
  private presence(state: 'online' | 'offline', tenantId: string, userId: string): void {
    const store = this.options.store
    if (!store || this.closed) return
    const write = () =>
      state === 'online'
        ? store.query(
            `INSERT INTO ringline_presence (tenant_id, user_id, instance_id, expires_at)
             VALUES ($1, $2, $3, now() + $4 * interval '1 second')
             ON CONFLICT (tenant_id, user_id, instance_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
            [tenantId, userId, this.instance, PRESENCE_TTL_SECONDS],
          )
        : store.query(
            'DELETE FROM ringline_presence WHERE tenant_id = $1 AND user_id = $2 AND instance_id = $3',
            [tenantId, userId, this.instance],
          )
    this.presenceWrites = this.presenceWrites.then(write).catch((error: unknown) => {
      this.options.logger.warn('ringline: could not store presence; other instances may not see this user', {
        error,
      })
    })
    if (!this.presenceTimer) {
      this.presenceTimer = setInterval(() => this.heartbeat(), (PRESENCE_TTL_SECONDS / 3) * 1000)
      ;(this.presenceTimer as { unref?: () => void }).unref?.()
    }
  }

  private heartbeat(): void {
    for (const [tenantId, userId] of this.subscribers.users()) this.presence('online', tenantId, userId)
  }

  /**
   * User ids holding an `/events` stream of a tenant on any instance sharing this store (this instance's own
   * streams, and the unexpired presence rows of the others).
   */
  async onlineUsersEverywhere(tenantId: string): Promise<Set<string>> {
    const users = this.onlineUsers(tenantId)
    const store = this.options.store
    if (!store) return users
    await this.presenceWrites
    try {
      const { rows } = await store.query<{ user_id: string }>(
        'SELECT DISTINCT user_id FROM ringline_presence WHERE tenant_id = $1 AND expires_at > now()',
        [tenantId],
      )
      for (const row of rows) users.add(row.user_id)
    } catch (error) {
      this.options.logger.warn('ringline: could not read presence; counting this instance only', { error })
    }
    return users
  }

  /**
   * Calls `hook` after each event published on this instance (never for events of other instances), for the
   * server's own follow-up work; hooks are not streams and do not count as users online. Returns the remover.
   */
  onPublish(hook: (tenantId: string, event: RinglineEvent) => void): () => void {
    this.publishHooks.add(hook)
    return () => this.publishHooks.delete(hook)
  }

  /** Ends this instance's `/events` streams of one user; returns how many were closed. */
  private closeLocalStreams(tenantId: string, userId: string): number {
    let n = 0
    for (const sub of [...this.subscribers.of(tenantId, userId)]) {
      if (!sub.close) continue
      try {
        sub.close()
        n += 1
      } catch (error) {
        this.options.logger.warn('ringline: could not close an event stream', { error })
      }
    }
    return n
  }

  /**
   * Ends the `/events` streams of one user on this instance, and (through NOTIFY) on every instance sharing the
   * store; resolves with how many this instance closed.
   */
  async closeStreams(tenantId: string, userId: string): Promise<number> {
    const n = this.closeLocalStreams(tenantId, userId)
    const store = this.options.store
    if (store?.notify && !this.closed) {
      const payload = JSON.stringify({ o: this.instance, t: tenantId, close: userId })
      await store.notify(CHANNEL, payload).catch((error: unknown) => {
        this.options.logger.warn("ringline: NOTIFY failed; other instances keep this user's streams", {
          error,
        })
      })
    }
    return n
  }

  /** Open streams of one user. */
  streamCount(tenantId: string, userId: string): number {
    return this.subscribers.of(tenantId, userId).size
  }

  /** User ids holding an `/events` stream of a tenant on this instance. */
  onlineUsers(tenantId: string): Set<string> {
    return new Set(this.subscribers.tenant(tenantId).keys())
  }

  /** Stops listening and drops subscribers. */
  async close(): Promise<void> {
    if (this.presenceTimer) clearInterval(this.presenceTimer)
    // This instance's users go offline now rather than when their rows expire.
    if (this.options.store && !this.closed) {
      const store = this.options.store
      const instance = this.instance
      this.presenceWrites = this.presenceWrites
        .then(() => store.query('DELETE FROM ringline_presence WHERE instance_id = $1', [instance]))
        .catch(() => undefined)
    }
    await this.presenceWrites
    await this.notifying
    this.closed = true
    this.subscribers.clear()
    this.publishHooks.clear()
    const unlisten = await this.unlisten
    this.unlisten = undefined
    await unlisten?.()
  }
}
