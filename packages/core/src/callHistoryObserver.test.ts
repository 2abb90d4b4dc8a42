import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CallHistoryApi, CallHistoryObserver, historyQueries } from './callHistoryObserver'
import type { ListCallsQuery } from './protocol'
import { makeEvent, makeRecord } from './testing/fakeServer'

function fakeApi(pages: Record<string, { ids: string[]; next: string | null }>) {
  const queries: ListCallsQuery[] = []
  const api: CallHistoryApi = {
    async listCalls(query = {}) {
      queries.push(query)
      const page = pages[query.cursor ?? 'first']
      if (!page) throw Object.assign(new Error('boom'), { code: 'INTERNAL' })
      return { calls: page.ids.map((id) => makeRecord({ id })), nextCursor: page.next }
    },
  }
  return { api, queries }
}

describe('CallHistoryObserver', () => {
  // The queries' module loaded, as it is once the first observer fetched it (the next describe covers before that).
  beforeAll(() => CallHistoryObserver.preload())

  it('loads the first page, then appends the next without duplicates', async () => {
    const { api, queries } = fakeApi({
      first: { ids: ['a', 'b'], next: 'p2' },
      p2: { ids: ['b', 'c'], next: null },
    })
    const history = new CallHistoryObserver(api)
    let notified = 0
    history.subscribe(() => notified++)
    history.setQuery({ direction: 'outbound' }, 2, false)
    expect(history.getSnapshot().status).toBe('loading')
    await new Promise((r) => setTimeout(r, 0))
    expect(history.getSnapshot()).toMatchObject({ status: 'success', hasMore: true })
    await history.loadMore()
    expect(history.getSnapshot().calls.map((c) => c.id)).toEqual(['a', 'b', 'c'])
    expect(history.getSnapshot().hasMore).toBe(false)
    expect(queries[0]).toEqual({ direction: 'outbound', limit: 2 })
    expect(queries[1]).toMatchObject({ cursor: 'p2' })
    expect(notified).toBeGreaterThan(0)
  })

  it('applies live events: updates a listed row, prepends a new matching call, skips one that does not match', async () => {
    const { api } = fakeApi({ first: { ids: ['a'], next: null } })
    const history = new CallHistoryObserver(api)
    history.setQuery({ direction: 'outbound' }, 50, false)
    await new Promise((r) => setTimeout(r, 0))
    history.applyEvent(makeEvent('call.updated', makeRecord({ id: 'a', status: 'completed' })))
    history.applyEvent(makeEvent('call.incoming', makeRecord({ id: 'in', direction: 'inbound' })))
    history.applyEvent(makeEvent('call.updated', makeRecord({ id: 'n' })))
    const calls = history.getSnapshot().calls
    expect(calls.map((c) => `${c.id}:${c.status}`)).toEqual(['n:initiated', 'a:completed'])
  })

  it('shows an error with its code when the first page fails', async () => {
    const history = new CallHistoryObserver(fakeApi({}).api)
    history.setQuery({}, 50, false)
    await new Promise((r) => setTimeout(r, 0))
    expect(history.getSnapshot()).toMatchObject({
      status: 'error',
      error: { code: 'INTERNAL', message: 'boom' },
    })
  })
})

describe('CallHistoryObserver before its queries loaded', () => {
  afterEach(() => historyQueries.provide(null))

  it('runs the calls made meanwhile in order once they load; a failed load is the history’s error and refresh() retries', async () => {
    const module = await import('./callHistoryRun')
    let release = () => {}
    historyQueries.provide(
      new Promise<typeof module>((resolve) => {
        release = () => resolve(module)
      }),
    )
    const { api, queries } = fakeApi({ first: { ids: ['a'], next: 'p2' }, p2: { ids: ['b'], next: null } })
    const history = new CallHistoryObserver(api)
    history.setQuery({ direction: 'outbound' }, 1, false)
    history.dispose()
    history.setQuery({ direction: 'inbound' }, 1, false)
    await new Promise((r) => setTimeout(r, 0))
    expect(queries).toEqual([])
    expect(history.getSnapshot().status).toBe('loading')
    release()
    await new Promise((r) => setTimeout(r, 0))
    // The first query was aborted by dispose(); the one set after it is the one shown.
    expect(queries.map((q) => q.direction)).toEqual(['outbound', 'inbound'])
    expect(history.getSnapshot()).toMatchObject({ status: 'success', hasMore: true })

    historyQueries.provide(Promise.reject(new Error('chunk failed')))
    const failing = new CallHistoryObserver(api)
    failing.setQuery({}, 1, false)
    await new Promise((r) => setTimeout(r, 0))
    expect(failing.getSnapshot()).toMatchObject({
      status: 'error',
      error: { code: 'NETWORK_ERROR', message: 'chunk failed' },
    })
    historyQueries.provide(null)
    failing.refresh()
    await new Promise((r) => setTimeout(r, 0))
    expect(failing.getSnapshot()).toMatchObject({ status: 'success', error: null })
    expect(failing.getSnapshot().calls.map((c) => c.id)).toEqual(['a'])
  })
})
