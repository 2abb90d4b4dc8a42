// Elastic SIP Trunking endpoints: trunks, origination URLs, trunk numbers and credential lists.
import { errorResponse, jsonResponse, noContent, SIM_CODES, twilioSid } from './format'
import { type CredentialList, makeTrunk, type OriginationUrl, type PhoneNumber, type Trunk } from './model'
import {
  boolParam,
  byDate,
  intParam,
  invalid,
  notFound,
  pageV1,
  type Route,
  type RouteContext,
  route,
} from './routeKit'
import { originationUrlJson, trunkCredentialListJson, trunkJson, trunkPhoneNumberJson } from './serializers'

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

export const trunkRoutes: Route[] = [
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

export const originationRoutes: Route[] = [
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

export function attach(ctx: RouteContext, n: PhoneNumber, trunkSid: string): Response | null {
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

export const trunkNumberRoutes: Route[] = [
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

export const trunkCredentialRoutes: Route[] = [
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
