import { errorResponse, isoDate, jsonResponse, noContent, rfc2822Date, SIM_CODES, twilioSid } from './format'
import {
  type Account,
  type Application,
  authTypeOf,
  type Credential,
  type CredentialList,
  makeTrunk,
  type OriginationUrl,
  type PhoneNumber,
  type SimCall,
  type Trunk,
} from './model'

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

const API = '/2010-04-01/Accounts/:accountSid'

function route(
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

function notFound(ctx: RouteContext): Response {
  // v1 paths are reported relative to the version (`/Trunks/TK…`), 2010 paths in full.
  const path = ctx.url.pathname.startsWith('/v1/') ? ctx.url.pathname.slice(3) : ctx.url.pathname
  return errorResponse(404, 20404, `The requested resource ${path} was not found`)
}

function invalid(message: string, code: number = SIM_CODES.invalidParameter): Response {
  return errorResponse(400, code, message)
}

function boolParam(body: URLSearchParams, name: string): boolean | undefined {
  const v = body.get(name)
  if (v === null) return undefined
  return v === 'true' || v === 'True' || v === '1'
}

function intParam(body: URLSearchParams, name: string): number | undefined | 'invalid' {
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
function pageV1<T>(ctx: RouteContext, key: string, all: T[], serialize: (item: T) => unknown): Response {
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
function page2010<T>(ctx: RouteContext, key: string, all: T[], serialize: (item: T) => unknown): Response {
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

function byDate<T extends { dateCreated: Date; sid: string }>(items: Iterable<T>): T[] {
  // Stable sort: equal timestamps keep insertion order.
  return [...items].sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())
}

// ---------------------------------------------------------------- serializers

function trunkJson(ctx: RouteContext, t: Trunk): unknown {
  const url = `${ctx.url.origin}/v1/Trunks/${t.sid}`
  const { authType, authTypeSet } = authTypeOf(ctx.account, t.sid)
  return {
    sid: t.sid,
    account_sid: t.accountSid,
    domain_name: t.domainName,
    disaster_recovery_method: t.disasterRecoveryMethod,
    disaster_recovery_url: t.disasterRecoveryUrl,
    friendly_name: t.friendlyName,
    secure: t.secure,
    cnam_lookup_enabled: t.cnamLookupEnabled,
    symmetric_rtp_enabled: false,
    recording: { mode: 'do-not-record', trim: 'do-not-trim' },
    transfer_mode: t.transferMode,
    transfer_caller_id: t.transferCallerId,
    auth_type: authType,
    auth_type_set: authTypeSet,
    date_created: isoDate(t.dateCreated),
    date_updated: isoDate(t.dateUpdated),
    url,
    links: {
      origination_urls: `${url}/OriginationUrls`,
      credential_lists: `${url}/CredentialLists`,
      ip_access_control_lists: `${url}/IpAccessControlLists`,
      phone_numbers: `${url}/PhoneNumbers`,
    },
  }
}

function originationUrlJson(ctx: RouteContext, o: OriginationUrl): unknown {
  return {
    sid: o.sid,
    account_sid: o.accountSid,
    trunk_sid: o.trunkSid,
    weight: o.weight,
    priority: o.priority,
    enabled: o.enabled,
    friendly_name: o.friendlyName,
    sip_url: o.sipUrl,
    date_created: isoDate(o.dateCreated),
    date_updated: isoDate(o.dateUpdated),
    url: `${ctx.url.origin}/v1/Trunks/${o.trunkSid}/OriginationUrls/${o.sid}`,
  }
}

function trunkPhoneNumberJson(ctx: RouteContext, n: PhoneNumber, trunkSid: string): unknown {
  return {
    sid: n.sid,
    account_sid: n.accountSid,
    trunk_sid: trunkSid,
    phone_number: n.phoneNumber,
    friendly_name: n.friendlyName,
    api_version: '2010-04-01',
    voice_url: n.voiceUrl,
    voice_method: n.voiceMethod,
    voice_application_sid: n.voiceApplicationSid,
    voice_caller_id_lookup: null,
    voice_fallback_url: null,
    voice_fallback_method: null,
    status_callback: '',
    status_callback_method: 'POST',
    sms_url: '',
    sms_method: 'POST',
    sms_application_sid: '',
    sms_fallback_url: '',
    sms_fallback_method: 'POST',
    address_requirements: 'none',
    beta: false,
    capabilities: { voice: n.capabilities.voice, sms: n.capabilities.sms, mms: n.capabilities.mms },
    date_created: isoDate(n.dateCreated),
    date_updated: isoDate(n.dateUpdated),
    url: `${ctx.url.origin}/v1/Trunks/${trunkSid}/PhoneNumbers/${n.sid}`,
    links: {
      phone_number: `https://api.twilio.com/2010-04-01/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}`,
    },
  }
}

function trunkCredentialListJson(
  ctx: RouteContext,
  trunkSid: string,
  l: CredentialList,
  linkedAt: Date,
): unknown {
  return {
    account_sid: l.accountSid,
    trunk_sid: trunkSid,
    sid: l.sid,
    friendly_name: l.friendlyName,
    date_created: isoDate(linkedAt),
    date_updated: isoDate(linkedAt),
    url: `${ctx.url.origin}/v1/Trunks/${trunkSid}/CredentialLists/${l.sid}`,
  }
}

function incomingNumberJson(n: PhoneNumber): unknown {
  const uri = `/2010-04-01/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json`
  return {
    account_sid: n.accountSid,
    address_requirements: 'none',
    address_sid: '',
    api_version: '2010-04-01',
    beta: false,
    capabilities: { ...n.capabilities },
    date_created: rfc2822Date(n.dateCreated),
    date_updated: rfc2822Date(n.dateUpdated),
    emergency_status: 'Inactive',
    emergency_address_sid: '',
    emergency_address_status: 'unregistered',
    friendly_name: n.friendlyName,
    identity_sid: '',
    origin: 'twilio',
    phone_number: n.phoneNumber,
    sid: n.sid,
    sms_application_sid: '',
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_url: '',
    status_callback: '',
    status_callback_method: 'POST',
    trunk_sid: n.trunkSid,
    uri,
    voice_application_sid: n.voiceApplicationSid,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: n.voiceMethod,
    voice_url: n.voiceUrl,
    bundle_sid: '',
    voice_receive_mode: 'voice',
    status: 'in-use',
    type: 'local',
    subresource_uris: { assigned_add_ons: uri.replace(/\.json$/, '/AssignedAddOns.json') },
  }
}

function credentialListJson(l: CredentialList): unknown {
  const uri = `/2010-04-01/Accounts/${l.accountSid}/SIP/CredentialLists/${l.sid}.json`
  return {
    account_sid: l.accountSid,
    date_created: rfc2822Date(l.dateCreated),
    date_updated: rfc2822Date(l.dateUpdated),
    friendly_name: l.friendlyName,
    sid: l.sid,
    subresource_uris: { credentials: uri.replace(/\.json$/, '/Credentials.json') },
    uri,
  }
}

function credentialJson(c: Credential): unknown {
  return {
    account_sid: c.accountSid,
    credential_list_sid: c.credentialListSid,
    date_created: rfc2822Date(c.dateCreated),
    date_updated: rfc2822Date(c.dateUpdated),
    sid: c.sid,
    uri: `/2010-04-01/Accounts/${c.accountSid}/SIP/CredentialLists/${c.credentialListSid}/Credentials/${c.sid}.json`,
    username: c.username,
  }
}

// ---------------------------------------------------------------- trunks

const DOMAIN_RE = /^[A-Za-z0-9-]+\.pstn(\.[a-z0-9-]+)?\.twilio\.com$/

function applyTrunkFields(ctx: RouteContext, trunk: Trunk | null): Partial<Trunk> | Response {
  const b = ctx.body
  const fields: Partial<Trunk> = {}
  if (b.has('FriendlyName')) fields.friendlyName = b.get('FriendlyName')
  if (b.has('DomainName')) {
    const domain = (b.get('DomainName') ?? '').toLowerCase()
    if (!DOMAIN_RE.test(domain)) {
      return invalid('DomainName must be letters, digits and dashes ending in pstn.twilio.com', 21247)
    }
    if (domain !== trunk?.domainName && ctx.core.reservedDomains.has(domain))
      return invalid('Trunk Domain already taken', 21248)
    fields.domainName = domain
  }
  if (b.has('DisasterRecoveryUrl')) fields.disasterRecoveryUrl = b.get('DisasterRecoveryUrl')
  if (b.has('DisasterRecoveryMethod')) fields.disasterRecoveryMethod = b.get('DisasterRecoveryMethod')
  if (b.has('TransferMode')) fields.transferMode = b.get('TransferMode') ?? 'disable-all'
  if (b.has('TransferCallerId')) fields.transferCallerId = b.get('TransferCallerId') ?? 'from-transferee'
  const secure = boolParam(b, 'Secure')
  if (secure !== undefined) fields.secure = secure
  const cnam = boolParam(b, 'CnamLookupEnabled')
  if (cnam !== undefined) fields.cnamLookupEnabled = cnam
  return fields
}

function getTrunk(ctx: RouteContext): Trunk | null {
  return ctx.account.trunks.get(ctx.params.trunkSid ?? ctx.params.sid ?? '') ?? null
}

const trunkRoutes: Route[] = [
  route('trunks.list', 'GET', 'trunking', '/v1/Trunks', (ctx) =>
    pageV1(ctx, 'trunks', byDate(ctx.account.trunks.values()), (t) => trunkJson(ctx, t)),
  ),
  route('trunks.create', 'POST', 'trunking', '/v1/Trunks', (ctx) => {
    const count = ctx.account.trunks.size
    if (ctx.account.type === 'Trial' && count >= 1) {
      return errorResponse(403, SIM_CODES.trunkingNotEnabled, 'Trial accounts may have only one trunk')
    }
    if (count >= 100)
      return errorResponse(403, SIM_CODES.trunkingNotEnabled, 'An account may have at most 100 trunks')
    const fields = applyTrunkFields(ctx, null)
    if (fields instanceof Response) return fields
    const trunk = makeTrunk(ctx.account.sid, fields, ctx.core.now())
    if (trunk.domainName) ctx.core.reservedDomains.add(trunk.domainName)
    ctx.account.trunks.set(trunk.sid, trunk)
    return jsonResponse(trunkJson(ctx, trunk), 201)
  }),
  route('trunks.fetch', 'GET', 'trunking', '/v1/Trunks/:sid', (ctx) => {
    const trunk = getTrunk(ctx)
    return trunk ? jsonResponse(trunkJson(ctx, trunk), 200) : notFound(ctx)
  }),
  route('trunks.update', 'POST', 'trunking', '/v1/Trunks/:sid', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const fields = applyTrunkFields(ctx, trunk)
    if (fields instanceof Response) return fields
    if (fields.domainName) ctx.core.reservedDomains.add(fields.domainName)
    Object.assign(trunk, fields, { dateUpdated: ctx.core.now() })
    return jsonResponse(trunkJson(ctx, trunk), 200)
  }),
  route('trunks.remove', 'DELETE', 'trunking', '/v1/Trunks/:sid', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const a = ctx.account
    a.trunks.delete(trunk.sid)
    // The domain stays reserved (Twilio holds it for up to 30 days).
    for (const o of [...a.originationUrls.values()])
      if (o.trunkSid === trunk.sid) a.originationUrls.delete(o.sid)
    for (const n of a.numbers.values()) if (n.trunkSid === trunk.sid) n.trunkSid = null
    a.trunkCredentialLists = a.trunkCredentialLists.filter((l) => l.trunkSid !== trunk.sid)
    return noContent()
  }),
]

// ---------------------------------------------------------------- origination URLs

function applyOriginationFields(ctx: RouteContext, required: boolean): Partial<OriginationUrl> | Response {
  const b = ctx.body
  const fields: Partial<OriginationUrl> = {}
  for (const name of ['Weight', 'Priority', 'Enabled', 'FriendlyName', 'SipUrl']) {
    if (required && !b.has(name)) return invalid(`Missing required parameter ${name} in the post body`)
  }
  const weight = intParam(b, 'Weight')
  if (weight === 'invalid' || (weight !== undefined && (weight < 1 || weight > 65535)))
    return invalid('Weight must be between 1 and 65535')
  if (weight !== undefined) fields.weight = weight
  const priority = intParam(b, 'Priority')
  if (priority === 'invalid' || (priority !== undefined && (priority < 0 || priority > 65535)))
    return invalid('Priority must be between 0 and 65535')
  if (priority !== undefined) fields.priority = priority
  const enabled = boolParam(b, 'Enabled')
  if (enabled !== undefined) fields.enabled = enabled
  if (b.has('FriendlyName')) fields.friendlyName = b.get('FriendlyName') ?? ''
  if (b.has('SipUrl')) {
    const sipUrl = b.get('SipUrl') ?? ''
    if (!/^sip:[^\s@;]*@?[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$/.test(sipUrl))
      return invalid('SipUrl must be a valid sip: URI')
    fields.sipUrl = sipUrl
  }
  return fields
}

const originationRoutes: Route[] = [
  route('originationUrls.list', 'GET', 'trunking', '/v1/Trunks/:trunkSid/OriginationUrls', (ctx) => {
    if (!getTrunk(ctx)) return notFound(ctx)
    const items = byDate(
      [...ctx.account.originationUrls.values()].filter((o) => o.trunkSid === ctx.params.trunkSid),
    )
    return pageV1(ctx, 'origination_urls', items, (o) => originationUrlJson(ctx, o))
  }),
  route('originationUrls.create', 'POST', 'trunking', '/v1/Trunks/:trunkSid/OriginationUrls', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const fields = applyOriginationFields(ctx, true)
    if (fields instanceof Response) return fields
    const now = ctx.core.now()
    const o: OriginationUrl = {
      sid: twilioSid('OU'),
      accountSid: ctx.account.sid,
      trunkSid: trunk.sid,
      friendlyName: fields.friendlyName ?? '',
      sipUrl: fields.sipUrl ?? '',
      weight: fields.weight ?? 10,
      priority: fields.priority ?? 10,
      enabled: fields.enabled ?? true,
      dateCreated: now,
      dateUpdated: now,
    }
    ctx.account.originationUrls.set(o.sid, o)
    return jsonResponse(originationUrlJson(ctx, o), 201)
  }),
  route('originationUrls.fetch', 'GET', 'trunking', '/v1/Trunks/:trunkSid/OriginationUrls/:sid', (ctx) => {
    const o = ctx.account.originationUrls.get(ctx.params.sid ?? '')
    return o && o.trunkSid === ctx.params.trunkSid
      ? jsonResponse(originationUrlJson(ctx, o), 200)
      : notFound(ctx)
  }),
  route('originationUrls.update', 'POST', 'trunking', '/v1/Trunks/:trunkSid/OriginationUrls/:sid', (ctx) => {
    const o = ctx.account.originationUrls.get(ctx.params.sid ?? '')
    if (!o || o.trunkSid !== ctx.params.trunkSid) return notFound(ctx)
    const fields = applyOriginationFields(ctx, false)
    if (fields instanceof Response) return fields
    Object.assign(o, fields, { dateUpdated: ctx.core.now() })
    return jsonResponse(originationUrlJson(ctx, o), 200)
  }),
  route(
    'originationUrls.remove',
    'DELETE',
    'trunking',
    '/v1/Trunks/:trunkSid/OriginationUrls/:sid',
    (ctx) => {
      const o = ctx.account.originationUrls.get(ctx.params.sid ?? '')
      if (!o || o.trunkSid !== ctx.params.trunkSid) return notFound(ctx)
      ctx.account.originationUrls.delete(o.sid)
      return noContent()
    },
  ),
]

// ---------------------------------------------------------------- trunk phone numbers

function attach(ctx: RouteContext, n: PhoneNumber, trunkSid: string): Response | null {
  if (n.trunkSid && n.trunkSid !== trunkSid && ctx.core.attachConflict === 'reject') {
    return invalid(
      `Phone number ${n.sid} is already associated with trunk ${n.trunkSid}`,
      SIM_CODES.numberOnOtherTrunk,
    )
  }
  // Setting a trunk wipes the voice application (and the reverse), as the OAI description says.
  n.trunkSid = trunkSid
  n.voiceApplicationSid = ''
  n.dateUpdated = ctx.core.now()
  return null
}

const trunkNumberRoutes: Route[] = [
  route('trunkPhoneNumbers.list', 'GET', 'trunking', '/v1/Trunks/:trunkSid/PhoneNumbers', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const items = byDate([...ctx.account.numbers.values()].filter((n) => n.trunkSid === trunk.sid))
    return pageV1(ctx, 'phone_numbers', items, (n) => trunkPhoneNumberJson(ctx, n, trunk.sid))
  }),
  route('trunkPhoneNumbers.create', 'POST', 'trunking', '/v1/Trunks/:trunkSid/PhoneNumbers', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const pn = ctx.body.get('PhoneNumberSid')
    if (!pn) return invalid('Missing required parameter PhoneNumberSid in the post body')
    const n = ctx.account.numbers.get(pn)
    if (!n) return errorResponse(404, 20404, `The requested resource /PhoneNumbers/${pn} was not found`)
    const conflict = attach(ctx, n, trunk.sid)
    return conflict ?? jsonResponse(trunkPhoneNumberJson(ctx, n, trunk.sid), 201)
  }),
  route('trunkPhoneNumbers.fetch', 'GET', 'trunking', '/v1/Trunks/:trunkSid/PhoneNumbers/:sid', (ctx) => {
    const n = ctx.account.numbers.get(ctx.params.sid ?? '')
    return n && n.trunkSid === ctx.params.trunkSid
      ? jsonResponse(trunkPhoneNumberJson(ctx, n, n.trunkSid), 200)
      : notFound(ctx)
  }),
  route('trunkPhoneNumbers.remove', 'DELETE', 'trunking', '/v1/Trunks/:trunkSid/PhoneNumbers/:sid', (ctx) => {
    const n = ctx.account.numbers.get(ctx.params.sid ?? '')
    if (!n || n.trunkSid !== ctx.params.trunkSid) return notFound(ctx)
    n.trunkSid = null
    n.dateUpdated = ctx.core.now()
    return noContent()
  }),
]

// ---------------------------------------------------------------- trunk credential lists

const trunkCredentialRoutes: Route[] = [
  route('trunkCredentialLists.list', 'GET', 'trunking', '/v1/Trunks/:trunkSid/CredentialLists', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const links = ctx.account.trunkCredentialLists.filter((l) => l.trunkSid === trunk.sid)
    return pageV1(ctx, 'credential_lists', links, (l) =>
      trunkCredentialListJson(
        ctx,
        trunk.sid,
        ctx.account.credentialLists.get(l.credentialListSid) as CredentialList,
        l.dateCreated,
      ),
    )
  }),
  route('trunkCredentialLists.create', 'POST', 'trunking', '/v1/Trunks/:trunkSid/CredentialLists', (ctx) => {
    const trunk = getTrunk(ctx)
    if (!trunk) return notFound(ctx)
    const cl = ctx.body.get('CredentialListSid')
    if (!cl) return invalid('Missing required parameter CredentialListSid in the post body')
    const list = ctx.account.credentialLists.get(cl)
    if (!list) return errorResponse(404, 20404, `The requested resource /CredentialLists/${cl} was not found`)
    if (
      ctx.account.trunkCredentialLists.some((l) => l.trunkSid === trunk.sid && l.credentialListSid === cl)
    ) {
      return invalid(`Credential list ${cl} is already associated with trunk ${trunk.sid}`)
    }
    const link = { trunkSid: trunk.sid, credentialListSid: cl, dateCreated: ctx.core.now() }
    ctx.account.trunkCredentialLists.push(link)
    return jsonResponse(trunkCredentialListJson(ctx, trunk.sid, list, link.dateCreated), 201)
  }),
  route(
    'trunkCredentialLists.fetch',
    'GET',
    'trunking',
    '/v1/Trunks/:trunkSid/CredentialLists/:sid',
    (ctx) => {
      const link = ctx.account.trunkCredentialLists.find(
        (l) => l.trunkSid === ctx.params.trunkSid && l.credentialListSid === ctx.params.sid,
      )
      const list = link && ctx.account.credentialLists.get(link.credentialListSid)
      return link && list
        ? jsonResponse(trunkCredentialListJson(ctx, link.trunkSid, list, link.dateCreated), 200)
        : notFound(ctx)
    },
  ),
  route(
    'trunkCredentialLists.remove',
    'DELETE',
    'trunking',
    '/v1/Trunks/:trunkSid/CredentialLists/:sid',
    (ctx) => {
      const before = ctx.account.trunkCredentialLists.length
      ctx.account.trunkCredentialLists = ctx.account.trunkCredentialLists.filter(
        (l) => !(l.trunkSid === ctx.params.trunkSid && l.credentialListSid === ctx.params.sid),
      )
      return ctx.account.trunkCredentialLists.length === before ? notFound(ctx) : noContent()
    },
  ),
]

// ---------------------------------------------------------------- api 2010

function numberPattern(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '\\d' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(source)
}

const PASSWORD_RULE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{12,}$/

function credentialFields(
  ctx: RouteContext,
  list: CredentialList,
  existing: Credential | null,
): Partial<Credential> | Response {
  const b = ctx.body
  const fields: Partial<Credential> = {}
  if (!existing) {
    const username = b.get('Username')
    if (!username || username.length > 32)
      return invalid(
        'Credential List Validation Error: Username is required and at most 32 characters',
        21240,
      )
    const taken = [...ctx.account.credentials.values()].some(
      (c) => c.credentialListSid === list.sid && c.username === username,
    )
    if (taken)
      return invalid(
        `Credential List Validation Error: username ${username} already exists in the list`,
        21243,
      )
    fields.username = username
  }
  const password = b.get('Password')
  if (password === null && !existing) return invalid('Missing required parameter Password in the post body')
  if (password !== null) {
    if (!PASSWORD_RULE.test(password)) {
      return invalid(
        'Credential List Validation Error: password needs 12+ characters with upper and lower case letters and a digit',
        21240,
      )
    }
    fields.password = password
  }
  return fields
}

function getList(ctx: RouteContext): CredentialList | null {
  return ctx.account.credentialLists.get(ctx.params.listSid ?? ctx.params.sid ?? '') ?? null
}

const apiRoutes: Route[] = [
  route(
    'accounts.fetch',
    'GET',
    'api',
    `${API}.json`,
    (ctx) =>
      jsonResponse(
        {
          sid: ctx.account.sid,
          friendly_name: ctx.account.friendlyName,
          status: 'active',
          type: ctx.account.type,
          owner_account_sid: ctx.account.sid,
          auth_token: ctx.account.authToken,
          date_created: rfc2822Date(ctx.account.dateCreated),
          date_updated: rfc2822Date(ctx.account.dateCreated),
          subresource_uris: {
            incoming_phone_numbers: `/2010-04-01/Accounts/${ctx.account.sid}/IncomingPhoneNumbers.json`,
            keys: `/2010-04-01/Accounts/${ctx.account.sid}/Keys.json`,
          },
          uri: `/2010-04-01/Accounts/${ctx.account.sid}.json`,
        },
        200,
      ),
    true,
  ),
  route(
    'keys.list',
    'GET',
    'api',
    `${API}/Keys.json`,
    (ctx) =>
      page2010(ctx, 'keys', byDate(ctx.account.keys.values()), (k) => ({
        sid: k.sid,
        friendly_name: k.friendlyName,
        date_created: rfc2822Date(k.dateCreated),
        date_updated: rfc2822Date(k.dateCreated),
      })),
    true,
  ),
  route(
    'keys.fetch',
    'GET',
    'api',
    `${API}/Keys/:sid.json`,
    (ctx) => {
      const k = ctx.account.keys.get(ctx.params.sid ?? '')
      if (!k) return notFound(ctx)
      return jsonResponse(
        {
          sid: k.sid,
          friendly_name: k.friendlyName,
          date_created: rfc2822Date(k.dateCreated),
          date_updated: rfc2822Date(k.dateCreated),
        },
        200,
      )
    },
    true,
  ),
  route('incomingPhoneNumbers.list', 'GET', 'api', `${API}/IncomingPhoneNumbers.json`, (ctx) => {
    let items = byDate(ctx.account.numbers.values())
    const phone = ctx.url.searchParams.get('PhoneNumber')
    if (phone) {
      const re = numberPattern(phone)
      items = items.filter((n) => re.test(n.phoneNumber))
    }
    const friendly = ctx.url.searchParams.get('FriendlyName')
    if (friendly) items = items.filter((n) => n.friendlyName === friendly)
    return page2010(ctx, 'incoming_phone_numbers', items, incomingNumberJson)
  }),
  route('incomingPhoneNumbers.fetch', 'GET', 'api', `${API}/IncomingPhoneNumbers/:sid.json`, (ctx) => {
    const n = ctx.account.numbers.get(ctx.params.sid ?? '')
    return n ? jsonResponse(incomingNumberJson(n), 200) : notFound(ctx)
  }),
  route('incomingPhoneNumbers.update', 'POST', 'api', `${API}/IncomingPhoneNumbers/:sid.json`, (ctx) => {
    const n = ctx.account.numbers.get(ctx.params.sid ?? '')
    if (!n) return notFound(ctx)
    const b = ctx.body
    if (b.has('TrunkSid')) {
      const trunkSid = b.get('TrunkSid') ?? ''
      if (trunkSid === '') n.trunkSid = null
      else {
        if (!ctx.account.trunks.has(trunkSid))
          return invalid(`TrunkSid ${trunkSid} is not a trunk of this account`)
        const conflict = attach(ctx, n, trunkSid)
        if (conflict) return conflict
      }
    }
    if (b.has('VoiceApplicationSid')) {
      n.voiceApplicationSid = b.get('VoiceApplicationSid') ?? ''
      if (n.voiceApplicationSid) n.trunkSid = null
    }
    if (b.has('VoiceUrl')) n.voiceUrl = b.get('VoiceUrl') || null
    if (b.has('VoiceMethod')) n.voiceMethod = b.get('VoiceMethod') ?? 'POST'
    if (b.has('FriendlyName')) n.friendlyName = b.get('FriendlyName') ?? n.friendlyName
    n.dateUpdated = ctx.core.now()
    return jsonResponse(incomingNumberJson(n), 200)
  }),
  route('incomingPhoneNumbers.remove', 'DELETE', 'api', `${API}/IncomingPhoneNumbers/:sid.json`, (ctx) => {
    const n = ctx.account.numbers.get(ctx.params.sid ?? '')
    if (!n) return notFound(ctx)
    ctx.account.numbers.delete(n.sid)
    return noContent()
  }),
  route('credentialLists.list', 'GET', 'api', `${API}/SIP/CredentialLists.json`, (ctx) =>
    page2010(ctx, 'credential_lists', byDate(ctx.account.credentialLists.values()), credentialListJson),
  ),
  route('credentialLists.create', 'POST', 'api', `${API}/SIP/CredentialLists.json`, (ctx) => {
    const name = ctx.body.get('FriendlyName')
    if (!name || name.length > 64)
      return invalid(
        'Credential List Validation Error: FriendlyName is required (at most 64 characters)',
        21240,
      )
    if ([...ctx.account.credentialLists.values()].some((l) => l.friendlyName === name)) {
      return invalid(`Credential List Validation Error: a list named ${name} already exists`, 21240)
    }
    const now = ctx.core.now()
    const list: CredentialList = {
      sid: twilioSid('CL'),
      accountSid: ctx.account.sid,
      friendlyName: name,
      dateCreated: now,
      dateUpdated: now,
    }
    ctx.account.credentialLists.set(list.sid, list)
    return jsonResponse(credentialListJson(list), 201)
  }),
  route('credentialLists.fetch', 'GET', 'api', `${API}/SIP/CredentialLists/:sid.json`, (ctx) => {
    const list = getList(ctx)
    return list ? jsonResponse(credentialListJson(list), 200) : notFound(ctx)
  }),
  route('credentialLists.update', 'POST', 'api', `${API}/SIP/CredentialLists/:sid.json`, (ctx) => {
    const list = getList(ctx)
    if (!list) return notFound(ctx)
    const name = ctx.body.get('FriendlyName')
    if (!name) return invalid('Missing required parameter FriendlyName in the post body')
    list.friendlyName = name
    list.dateUpdated = ctx.core.now()
    return jsonResponse(credentialListJson(list), 200)
  }),
  route('credentialLists.remove', 'DELETE', 'api', `${API}/SIP/CredentialLists/:sid.json`, (ctx) => {
    const list = getList(ctx)
    if (!list) return notFound(ctx)
    const a = ctx.account
    a.credentialLists.delete(list.sid)
    for (const c of [...a.credentials.values()])
      if (c.credentialListSid === list.sid) a.credentials.delete(c.sid)
    a.trunkCredentialLists = a.trunkCredentialLists.filter((l) => l.credentialListSid !== list.sid)
    return noContent()
  }),
  route('credentials.list', 'GET', 'api', `${API}/SIP/CredentialLists/:listSid/Credentials.json`, (ctx) => {
    const list = getList(ctx)
    if (!list) return notFound(ctx)
    const items = byDate(
      [...ctx.account.credentials.values()].filter((c) => c.credentialListSid === list.sid),
    )
    return page2010(ctx, 'credentials', items, credentialJson)
  }),
  route(
    'credentials.create',
    'POST',
    'api',
    `${API}/SIP/CredentialLists/:listSid/Credentials.json`,
    (ctx) => {
      const list = getList(ctx)
      if (!list) return notFound(ctx)
      const fields = credentialFields(ctx, list, null)
      if (fields instanceof Response) return fields
      const now = ctx.core.now()
      const c: Credential = {
        sid: twilioSid('CR'),
        accountSid: ctx.account.sid,
        credentialListSid: list.sid,
        username: fields.username ?? '',
        password: fields.password ?? '',
        dateCreated: now,
        dateUpdated: now,
      }
      ctx.account.credentials.set(c.sid, c)
      return jsonResponse(credentialJson(c), 201)
    },
  ),
  route(
    'credentials.fetch',
    'GET',
    'api',
    `${API}/SIP/CredentialLists/:listSid/Credentials/:sid.json`,
    (ctx) => {
      const c = ctx.account.credentials.get(ctx.params.sid ?? '')
      return c && c.credentialListSid === ctx.params.listSid
        ? jsonResponse(credentialJson(c), 200)
        : notFound(ctx)
    },
  ),
  route(
    'credentials.update',
    'POST',
    'api',
    `${API}/SIP/CredentialLists/:listSid/Credentials/:sid.json`,
    (ctx) => {
      const list = getList(ctx)
      const c = ctx.account.credentials.get(ctx.params.sid ?? '')
      if (!list || !c || c.credentialListSid !== list.sid) return notFound(ctx)
      const fields = credentialFields(ctx, list, c)
      if (fields instanceof Response) return fields
      Object.assign(c, fields, { dateUpdated: ctx.core.now() })
      return jsonResponse(credentialJson(c), 200)
    },
  ),
  route(
    'credentials.remove',
    'DELETE',
    'api',
    `${API}/SIP/CredentialLists/:listSid/Credentials/:sid.json`,
    (ctx) => {
      const c = ctx.account.credentials.get(ctx.params.sid ?? '')
      if (!c || c.credentialListSid !== ctx.params.listSid) return notFound(ctx)
      ctx.account.credentials.delete(c.sid)
      return noContent()
    },
  ),
]

// ---------------------------------------------------------------- Programmable Voice (TwiML apps, keys, calls)

function applicationJson(a: Application): unknown {
  return {
    sid: a.sid,
    account_sid: a.accountSid,
    friendly_name: a.friendlyName,
    api_version: '2010-04-01',
    voice_url: a.voiceUrl,
    voice_method: a.voiceMethod,
    voice_fallback_url: null,
    voice_fallback_method: 'POST',
    status_callback: a.statusCallback,
    status_callback_method: a.statusCallbackMethod,
    voice_caller_id_lookup: false,
    sms_url: null,
    sms_method: 'POST',
    public_application_connect_enabled: true,
    date_created: rfc2822Date(a.dateCreated),
    date_updated: rfc2822Date(a.dateUpdated),
    uri: `/2010-04-01/Accounts/${a.accountSid}/Applications/${a.sid}.json`,
  }
}

function applyApplication(a: Application, b: URLSearchParams): void {
  if (b.has('FriendlyName')) a.friendlyName = b.get('FriendlyName') ?? ''
  if (b.has('VoiceUrl')) a.voiceUrl = b.get('VoiceUrl') || null
  if (b.has('VoiceMethod')) a.voiceMethod = b.get('VoiceMethod') ?? 'POST'
  if (b.has('StatusCallback')) a.statusCallback = b.get('StatusCallback') || null
  if (b.has('StatusCallbackMethod')) a.statusCallbackMethod = b.get('StatusCallbackMethod') ?? 'POST'
}

/** api 2010 Call JSON. */
export function callJson(c: SimCall): unknown {
  const duration =
    c.startTime && c.endTime ? String(Math.round((c.endTime.getTime() - c.startTime.getTime()) / 1000)) : null
  return {
    sid: c.sid,
    parent_call_sid: c.parentCallSid,
    account_sid: c.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: null,
    status: c.status,
    start_time: c.startTime ? rfc2822Date(c.startTime) : null,
    end_time: c.endTime ? rfc2822Date(c.endTime) : null,
    duration,
    price: null,
    price_unit: 'USD',
    direction: c.direction,
    answered_by: null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    date_created: rfc2822Date(c.dateCreated),
    date_updated: rfc2822Date(c.dateUpdated),
    uri: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}.json`,
    subresource_uris: {},
  }
}

const FINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled'])

const voiceRoutes: Route[] = [
  route(
    'keys.create',
    'POST',
    'api',
    `${API}/Keys.json`,
    (ctx) => {
      const now = ctx.core.now()
      const key = {
        sid: twilioSid('SK'),
        secret: randomSecret(),
        friendlyName: ctx.body.get('FriendlyName') ?? '',
        type: 'standard' as const,
        allow: ['api', 'trunking'] as Array<'api' | 'trunking'>,
        dateCreated: now,
      }
      ctx.account.keys.set(key.sid, key)
      return jsonResponse(
        {
          sid: key.sid,
          friendly_name: key.friendlyName,
          date_created: rfc2822Date(now),
          date_updated: rfc2822Date(now),
          secret: key.secret,
        },
        201,
      )
    },
    true,
  ),
  route('applications.list', 'GET', 'api', `${API}/Applications.json`, (ctx) => {
    let items = byDate(ctx.account.applications.values())
    const name = ctx.url.searchParams.get('FriendlyName')
    if (name) items = items.filter((a) => a.friendlyName === name)
    return page2010(ctx, 'applications', items, applicationJson)
  }),
  route('applications.create', 'POST', 'api', `${API}/Applications.json`, (ctx) => {
    const now = ctx.core.now()
    const app: Application = {
      sid: twilioSid('AP'),
      accountSid: ctx.account.sid,
      friendlyName: '',
      voiceUrl: null,
      voiceMethod: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
      dateCreated: now,
      dateUpdated: now,
    }
    applyApplication(app, ctx.body)
    ctx.account.applications.set(app.sid, app)
    return jsonResponse(applicationJson(app), 201)
  }),
  route('applications.fetch', 'GET', 'api', `${API}/Applications/:sid.json`, (ctx) => {
    const a = ctx.account.applications.get(ctx.params.sid ?? '')
    return a ? jsonResponse(applicationJson(a), 200) : notFound(ctx)
  }),
  route('applications.update', 'POST', 'api', `${API}/Applications/:sid.json`, (ctx) => {
    const a = ctx.account.applications.get(ctx.params.sid ?? '')
    if (!a) return notFound(ctx)
    applyApplication(a, ctx.body)
    a.dateUpdated = ctx.core.now()
    return jsonResponse(applicationJson(a), 200)
  }),
  route('applications.remove', 'DELETE', 'api', `${API}/Applications/:sid.json`, (ctx) => {
    if (!ctx.account.applications.delete(ctx.params.sid ?? '')) return notFound(ctx)
    for (const n of ctx.account.numbers.values())
      if (n.voiceApplicationSid === ctx.params.sid) n.voiceApplicationSid = ''
    return noContent()
  }),
  route('calls.create', 'POST', 'api', `${API}/Calls.json`, (ctx) => {
    const b = ctx.body
    const to = b.get('To')
    const from = b.get('From')
    if (!to || !from) return invalid('To and From are required', 21201)
    const url = b.get('Url')
    const twiml = b.get('Twiml')
    const applicationSid = b.get('ApplicationSid')
    if (!url && !twiml && !applicationSid) return invalid('Url, Twiml or ApplicationSid is required', 21205)
    if (twiml && twiml.length > 4000) return invalid('Twiml is longer than 4000 characters')
    const now = ctx.core.now()
    const call: SimCall = {
      sid: twilioSid('CA'),
      accountSid: ctx.account.sid,
      parentCallSid: null,
      to,
      from,
      status: 'queued',
      direction: 'outbound-api',
      statusCallback: b.get('StatusCallback'),
      statusCallbackEvents: b
        .getAll('StatusCallbackEvent')
        .flatMap((e) => e.split(/\s+/))
        .filter(Boolean),
      applicationSid: applicationSid ?? null,
      url: url ?? null,
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
    }
    ctx.account.calls.set(call.sid, call)
    return jsonResponse(callJson(call), 201)
  }),
  route('calls.list', 'GET', 'api', `${API}/Calls.json`, (ctx) => {
    let items = byDate(ctx.account.calls.values())
    const status = ctx.url.searchParams.get('Status')
    if (status) items = items.filter((c) => c.status === status)
    return page2010(ctx, 'calls', items, callJson)
  }),
  route('calls.fetch', 'GET', 'api', `${API}/Calls/:sid.json`, (ctx) => {
    const c = ctx.account.calls.get(ctx.params.sid ?? '')
    return c ? jsonResponse(callJson(c), 200) : notFound(ctx)
  }),
  route('calls.update', 'POST', 'api', `${API}/Calls/:sid.json`, (ctx) => {
    const c = ctx.account.calls.get(ctx.params.sid ?? '')
    if (!c) return notFound(ctx)
    const status = ctx.body.get('Status')
    if (status !== null) {
      if (status !== 'completed' && status !== 'canceled')
        return invalid('Status must be completed or canceled')
      if (status === 'canceled' && c.status !== 'queued' && c.status !== 'ringing') {
        return invalid('Only a queued or ringing call can be canceled', 21220)
      }
      if (!FINAL_STATUSES.has(c.status)) {
        c.status = status
        c.endTime = ctx.core.now()
        c.dateUpdated = c.endTime
        ctx.core.onCallStatus?.(ctx.account, c)
      }
    }
    return jsonResponse(callJson(c), 200)
  }),
]

function randomSecret(): string {
  return twilioSid('').slice(0, 32)
}

/** Every simulated endpoint, matched in order. */
export const ROUTES: Route[] = [
  ...trunkRoutes,
  ...originationRoutes,
  ...trunkNumberRoutes,
  ...trunkCredentialRoutes,
  ...apiRoutes,
  ...voiceRoutes,
]

/** Route ids, for fault injection. */
export type TwilioRouteId = (typeof ROUTES)[number]['id']

/** Find the route for a method + product + path. `methodMismatch` is set when the path exists under another method. */
export function matchRoute(
  method: string,
  product: Route['product'],
  pathname: string,
): { route: Route; params: Record<string, string> } | { route: null; methodMismatch: boolean } {
  let methodMismatch = false
  for (const r of ROUTES) {
    if (r.product !== product) continue
    const m = r.pattern.exec(pathname)
    if (!m) continue
    if (r.method !== method) {
      methodMismatch = true
      continue
    }
    const params: Record<string, string> = {}
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1] ?? '')
    })
    return { route: r, params }
  }
  return { route: null, methodMismatch }
}
