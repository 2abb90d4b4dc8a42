// The simulator's route plumbing: route and context types, parameter parsing and Twilio's two paging styles.
import { errorResponse, jsonResponse, SIM_CODES } from './format'
import type { Account, SimCall } from './model'

/** Shared simulator state a route may touch beyond its account. */
export interface SimCore {
  now(): Date
  attachConflict: 'reassign' | 'reject'
  /** Trunk domains in use or recently deleted (Twilio keeps them reserved), across all accounts. */
  reservedDomains: Set<string>
  /** Called when a call's status changes through REST, so the simulator can send its status callback. */
  onCallStatus?: (account: Account, call: SimCall) => void
}

/** What a route handler gets. */
export interface RouteContext {
  account: Account
  params: Record<string, string>
  body: URLSearchParams
  url: URL
  core: SimCore
}

/** One simulated endpoint. */
export interface Route {
  id: string
  method: string
  product: 'api' | 'trunking'
  pattern: RegExp
  keys: string[]
  /** Standard keys cannot call these (Accounts, Keys). */
  mainKeyOnly?: boolean
  handle(ctx: RouteContext): Response
}

export const API = '/2010-04-01/Accounts/:accountSid'

export function route(
  id: string,
  method: string,
  product: Route['product'],
  template: string,
  handle: Route['handle'],
  mainKeyOnly = false,
): Route {
  const keys: string[] = []
  const source = template
    .split('/')
    .map((seg) =>
      seg.replace(/:([a-zA-Z]+)|([.])/g, (_m, name: string | undefined, dot: string | undefined) => {
        if (dot) return '\\.'
        keys.push(name ?? '')
        return '([^/]+?)'
      }),
    )
    .join('/')
  return { id, method, product, pattern: new RegExp(`^${source}$`), keys, handle, mainKeyOnly }
}

// ---------------------------------------------------------------- helpers

export function notFound(ctx: RouteContext): Response {
  // v1 paths are reported relative to the version (`/Trunks/TK…`), 2010 paths in full.
  const path = ctx.url.pathname.startsWith('/v1/') ? ctx.url.pathname.slice(3) : ctx.url.pathname
  return errorResponse(404, 20404, `The requested resource ${path} was not found`)
}

export function invalid(message: string, code: number = SIM_CODES.invalidParameter): Response {
  return errorResponse(400, code, message)
}

export function boolParam(body: URLSearchParams, name: string): boolean | undefined {
  const v = body.get(name)
  if (v === null) return undefined
  return v === 'true' || v === 'True' || v === '1'
}

export function intParam(body: URLSearchParams, name: string): number | undefined | 'invalid' {
  const v = body.get(name)
  if (v === null) return undefined
  return /^-?\d+$/.test(v) ? Number(v) : 'invalid'
}

interface PageWindow<T> {
  items: T[]
  page: number
  pageSize: number
  hasNext: boolean
  start: number
}

function paginate<T>(url: URL, all: T[]): PageWindow<T> | Response {
  const sizeText = url.searchParams.get('PageSize')
  const pageText = url.searchParams.get('Page')
  const pageSize = sizeText === null ? 50 : Number(sizeText)
  const page = pageText === null ? 0 : Number(pageText)
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
    return invalid('PageSize must be an integer between 1 and 1000')
  if (!Number.isInteger(page) || page < 0) return invalid('Page must be a non-negative integer')
  const start = page * pageSize
  return {
    items: all.slice(start, start + pageSize),
    page,
    pageSize,
    hasNext: start + pageSize < all.length,
    start,
  }
}

function pageQuery(url: URL, page: number, pageSize: number, withToken: boolean): string {
  const q = new URLSearchParams()
  for (const [k, v] of url.searchParams)
    if (k !== 'Page' && k !== 'PageSize' && k !== 'PageToken') q.append(k, v)
  q.set('PageSize', String(pageSize))
  q.set('Page', String(page))
  if (withToken) q.set('PageToken', `PA${(page * pageSize).toString(16).padStart(8, '0')}`)
  return q.toString().replace(/\+/g, '%20')
}

/** Trunking v1 page: items under `key`, paging in `meta` with absolute URLs. */
export function pageV1<T>(
  ctx: RouteContext,
  key: string,
  all: T[],
  serialize: (item: T) => unknown,
): Response {
  const w = paginate(ctx.url, all)
  if (w instanceof Response) return w
  const base = `${ctx.url.origin}${ctx.url.pathname}`
  return jsonResponse(
    {
      [key]: w.items.map(serialize),
      meta: {
        page: w.page,
        page_size: w.pageSize,
        first_page_url: `${base}?${pageQuery(ctx.url, 0, w.pageSize, false)}`,
        previous_page_url: w.page > 0 ? `${base}?${pageQuery(ctx.url, w.page - 1, w.pageSize, true)}` : null,
        url: `${base}?${pageQuery(ctx.url, w.page, w.pageSize, w.page > 0)}`,
        next_page_url: w.hasNext ? `${base}?${pageQuery(ctx.url, w.page + 1, w.pageSize, true)}` : null,
        key,
      },
    },
    200,
  )
}

/** api 2010 page: items under `key`, paging at the top level with relative URIs. */
export function page2010<T>(
  ctx: RouteContext,
  key: string,
  all: T[],
  serialize: (item: T) => unknown,
): Response {
  const w = paginate(ctx.url, all)
  if (w instanceof Response) return w
  const base = ctx.url.pathname
  return jsonResponse(
    {
      [key]: w.items.map(serialize),
      page: w.page,
      page_size: w.pageSize,
      start: w.start,
      end: w.items.length === 0 ? w.start : w.start + w.items.length - 1,
      first_page_uri: `${base}?${pageQuery(ctx.url, 0, w.pageSize, false)}`,
      next_page_uri: w.hasNext ? `${base}?${pageQuery(ctx.url, w.page + 1, w.pageSize, true)}` : null,
      previous_page_uri: w.page > 0 ? `${base}?${pageQuery(ctx.url, w.page - 1, w.pageSize, true)}` : null,
      uri: `${base}?${pageQuery(ctx.url, w.page, w.pageSize, w.page > 0)}`,
    },
    200,
  )
}

export function byDate<T extends { dateCreated: Date; sid: string }>(items: Iterable<T>): T[] {
  // Stable sort: equal timestamps keep insertion order.
  return [...items].sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())
}
