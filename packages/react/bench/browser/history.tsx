// CallHistory from the BUILT @ringline/react over 10,000 calls, served by a fetch stub in the page with the server's
// `GET /calls` response shape and keyset pagination (base64url cursor, `limit` ≤ 200, `stats=1` aggregates). The list
// is scrolled to its end in steps, one per animation frame, loading pages as the component asks for them; frames are
// timed with requestAnimationFrame. `?empty` runs the same rAF loop on an empty page (the machine's anchor).
import type { CallRecord, ListCallsResponse } from '@ringline/core/protocol'
import { CallHistory, RinglineProvider } from '@ringline/react'
import { generateFakeCalls } from '@ringline/react/testing'
import '@ringline/react/styles.css'
import { Profiler } from 'react'
import { createRoot } from 'react-dom/client'
import { type FrameFigures, frameFigures } from './frames'

declare global {
  interface Window {
    /** Set by the runner: resolves with the page's figures. */
    runHistoryBench(options: {
      total: number
      pageSize: number
      /** Seconds the scroll would take at 60 fps if every page were there at once. */
      seconds: number
      /** Give up after this long when the end is not reached. */
      maxSeconds: number
      /** Pixels a frame; default the step that covers every row in `seconds`. */
      step?: number
    }): Promise<HistoryResult>
    runEmpty(seconds: number): Promise<FrameFigures>
  }
}

/** What the page reports. */
export interface HistoryResult extends FrameFigures {
  /** Pixels scrolled a frame. */
  step: number
  reachedEnd: boolean
  rowsLoaded: number
  pagesFetched: number
  maxDomRows: number
  commits: number
  /** Mean and slowest React render time of a commit of CallHistory (Profiler actualDuration), ms. */
  meanCommitMs: number
  maxCommitMs: number
  otherRequests: string[]
}

const BASE = '/api/ringline'
const toBase64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const fromBase64url = (s: string) => atob(s.replace(/-/g, '+').replace(/_/g, '/'))

/** `GET /calls?stats=1` aggregates, computed as the server's callStats does. */
function statsOf(calls: CallRecord[]): NonNullable<ListCallsResponse['stats']> {
  const byStatus: Record<string, number> = {}
  const byDirection: Record<string, number> = {}
  let answered = 0
  let duration = 0
  for (const c of calls) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1
    byDirection[c.direction] = (byDirection[c.direction] ?? 0) + 1
    if (c.answeredAt) answered++
    duration += c.durationSeconds ?? 0
  }
  return {
    total: calls.length,
    byStatus,
    byDirection,
    answerRate: calls.length ? answered / calls.length : null,
    averageDurationSeconds: answered ? duration / answered : null,
    totalDurationSeconds: duration,
  }
}

/** Replaces `fetch` with the Ringline server's `GET /calls` over `calls` (newest first); `/events` stays open. */
function stubFetch(calls: CallRecord[], counters: { pages: number; other: string[] }) {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href)
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
    if (method === 'GET' && url.pathname === `${BASE}/events`) {
      // An open stream that sends nothing, as the server's between events.
      return new Response(new ReadableStream({ start() {} }), {
        headers: { 'content-type': 'text/event-stream' },
      })
    }
    if (method === 'GET' && url.pathname === `${BASE}/calls`) {
      const q = url.searchParams
      const limit = Math.min(200, Number(q.get('limit') ?? 50))
      let from = 0
      const cursor = q.get('cursor')
      if (cursor) {
        const { s, i } = JSON.parse(fromBase64url(cursor)) as { s: string; i: string }
        // Keyset: the first call after (startedAt, id) in newest-first order.
        from = calls.findIndex((c) => c.startedAt < s || (c.startedAt === s && c.id < i))
        if (from < 0) from = calls.length
      }
      const page = calls.slice(from, from + limit)
      const next = from + limit < calls.length ? page[page.length - 1] : undefined
      const wantStats = q.get('stats') === '1' || q.get('stats') === 'true'
      counters.pages++
      const body: ListCallsResponse = {
        calls: page,
        nextCursor: next ? toBase64url(JSON.stringify({ s: next.startedAt, i: next.id })) : null,
        ...(wantStats ? { stats: statsOf(calls) } : {}),
      }
      return json(body)
    }
    counters.other.push(`${method} ${url.pathname}`)
    return json({ error: { code: 'NOT_FOUND', message: 'Not found.', requestId: 'req_bench' } }, 404)
  }
}

window.runEmpty = async (seconds) => {
  const stamps: number[] = []
  const end = performance.now() + seconds * 1000
  await new Promise<void>((done) => {
    const frame = (t: number) => {
      stamps.push(t)
      if (t < end) requestAnimationFrame(frame)
      else done()
    }
    requestAnimationFrame(frame)
  })
  return frameFigures(stamps)
}

window.runHistoryBench = async ({ total, pageSize, seconds, maxSeconds, step: stepOption }) => {
  const calls = generateFakeCalls(total)
  const counters = { pages: 0, other: [] as string[] }
  stubFetch(calls, counters)
  const ROW = 56
  const HEIGHT = 480
  let commits = 0
  let commitMs = 0
  let maxCommitMs = 0
  let counting = false
  const container = document.createElement('div')
  document.body.append(container)
  createRoot(container).render(
    <RinglineProvider baseUrl={BASE}>
      <Profiler
        id="CallHistory"
        onRender={(_id, _phase, actualDuration) => {
          if (!counting) return
          commits++
          commitMs += actualDuration
          maxCommitMs = Math.max(maxCommitMs, actualDuration)
        }}
      >
        <CallHistory pageSize={pageSize} rowHeight={ROW} listHeight={HEIGHT} />
      </Profiler>
    </RinglineProvider>,
  )
  const viewport = await new Promise<HTMLElement>((found) => {
    const look = () => {
      const el = container.querySelector<HTMLElement>(
        '.rl-call-history[data-state="ready"] .rl-history-viewport',
      )
      if (el) found(el)
      else setTimeout(look, 10)
    }
    look()
  })
  const list = viewport.querySelector('.rl-history-list') as HTMLElement
  // One step a frame, by default sized to cover every row in `seconds` at 60 frames a second.
  const step = stepOption ?? Math.ceil((total * ROW) / (seconds * 60))
  const stamps: number[] = []
  let maxDomRows = 0
  let reachedEnd = false
  counting = true
  const end = performance.now() + maxSeconds * 1000
  await new Promise<void>((done) => {
    const frame = (t: number) => {
      stamps.push(t)
      maxDomRows = Math.max(maxDomRows, list.childElementCount)
      reachedEnd =
        list.offsetHeight >= total * ROW && viewport.scrollTop + viewport.clientHeight >= total * ROW
      if (t >= end || reachedEnd) return done()
      viewport.scrollTop += step
      requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  })
  counting = false
  return {
    ...frameFigures(stamps),
    step,
    reachedEnd,
    rowsLoaded: Math.round(list.offsetHeight / ROW),
    pagesFetched: counters.pages,
    maxDomRows,
    commits,
    meanCommitMs: commits ? commitMs / commits : 0,
    maxCommitMs,
    otherRequests: counters.other,
  }
}
