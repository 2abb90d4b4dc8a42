// API 2010 account endpoints: incoming numbers, credential lists and their credentials.
import { jsonResponse, noContent, rfc2822Date, twilioSid } from './format'
import type { Credential, CredentialList } from './model'
import { API, byDate, invalid, notFound, page2010, type Route, type RouteContext, route } from './routeKit'
import { credentialJson, credentialListJson, incomingNumberJson } from './serializers'
import { attach } from './trunkingRoutes'

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

export const apiRoutes: Route[] = [
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
