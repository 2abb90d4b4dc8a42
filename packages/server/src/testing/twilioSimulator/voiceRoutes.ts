// Programmable Voice endpoints: TwiML applications, API keys and calls.
import { jsonResponse, noContent, rfc2822Date, twilioSid } from './format'
import type { Application, SimCall } from './model'
import { API, byDate, invalid, notFound, page2010, type Route, route } from './routeKit'

// ---------------------------------------------------------------- Programmable Voice (TwiML apps, keys, calls)

function applicationJson(a: Application): unknown {
  return {
    sid: a.sid,
    account_sid: a.accountSid,
    friendly_name: a.friendlyName,
    api_version: '2010-04-01',
    voice_url: a.voiceUrl,
    voice_method: a.voiceMethod,
    voice_fallback_url: a.voiceFallbackUrl,
    voice_fallback_method: a.voiceFallbackMethod,
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
  if (b.has('VoiceFallbackUrl')) a.voiceFallbackUrl = b.get('VoiceFallbackUrl') || null
  if (b.has('VoiceFallbackMethod')) a.voiceFallbackMethod = b.get('VoiceFallbackMethod') ?? 'POST'
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

export const voiceRoutes: Route[] = [
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
      voiceFallbackUrl: null,
      voiceFallbackMethod: 'POST',
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
