import { twilioSignature } from '../../twilioVoice/signature'
import { twilioSid } from './format'
import type { Account, SimCall } from './model'

/** Where the simulator sends webhooks: a Fetch handler such as `ringline.handler`, or `fetch`. */
export type WebhookTarget = (request: Request) => Promise<Response>

/** A `<Number>` of a `<Dial>` the app answered with. */
export interface SimDialNumber {
  number: string
  statusCallback: string | null
  events: string[]
}

/** A `<Client>` of a `<Dial>` the app answered with. */
export interface SimDialClient {
  identity: string
  parameters: Record<string, string>
  statusCallback: string | null
  events: string[]
}

/** What the app's TwiML asked for, as far as the simulator follows it. */
export interface SimDial {
  callerId: string | null
  answerOnBridge: boolean
  timeout: number | null
  action: string | null
  numbers: SimDialNumber[]
  clients: SimDialClient[]
}

/** One call driven through the app's webhooks, step by step. */
export interface SimCallFlow {
  /** The parent call (the browser's for client calls, the phone's for inbound ones). */
  callSid: string
  /** The voice webhook response. */
  response: Response
  twiml: string
  /** The `<Dial>` found in the TwiML, if any. */
  dial: SimDial | null
  /** True when the app answered `<Reject>`. */
  rejected: boolean
  /** True when the voice URL failed and Twilio asked the app's fallback URL instead (`response` is the fallback's). */
  fellBack: boolean
  /** The dialled number reports a status (`initiated`, `ringing`, `in-progress`, `completed`, `busy`, `no-answer`, …). */
  number(status: string, extra?: Record<string, string>): Promise<Response | null>
  /** A dialled browser reports a status (`ringing`, `in-progress`, `completed`). */
  client(identity: string, status: string, extra?: Record<string, string>): Promise<Response | null>
  /** The `<Dial action>` request after the dial ends (`completed`, `busy`, `no-answer`, `failed`, `canceled`). */
  dialAction(dialCallStatus: string, extra?: Record<string, string>): Promise<Response | null>
  /** The parent call ends; its status callback goes to the TwiML app's `StatusCallback`. */
  end(status?: string, extra?: Record<string, string>): Promise<Response | null>
}

/** Programmable Voice on the simulator: browsers and phones placing calls, and signed webhooks to the app. */
export interface SimVoice {
  /** Route webhooks somewhere else than the global `fetch` (e.g. `ringline.handler`). */
  setWebhookTarget(target: WebhookTarget): void
  /** A browser `Device.connect({ params })`: Twilio requests the TwiML app's voice URL with `From=client:<identity>`. */
  clientCall(options: {
    accountSid: string
    identity: string
    params?: Record<string, string>
    applicationSid?: string
  }): Promise<SimCallFlow>
  /** A phone calls a number of an account; Twilio requests the number's TwiML app (or voice URL). */
  inboundCall(options: { from: string; to: string }): Promise<SimCallFlow>
  /** Sends a webhook signed with the account's Auth Token, form-encoded (default) or as JSON with `bodySHA256`. */
  post(
    accountSid: string,
    url: string,
    params: Record<string, string>,
    options?: { json?: boolean; headers?: Record<string, string> },
  ): Promise<Response>
  /** Moves a REST-created call through statuses, sending its subscribed status callbacks. */
  progress(callSid: string, statuses: string[]): Promise<void>
  /**
   * Whoever a REST-created call rang answers it: its `answered` status callback (when subscribed), then Twilio
   * requests the call's `Url` (or its TwiML app's voice URL) and follows the TwiML, as for `clientCall`.
   */
  answer(callSid: string): Promise<SimCallFlow>
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of tag.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[m[1] as string] = decode(m[2] as string)
  return out
}

/** Reads the `<Dial>` of a TwiML document (the subset Ringline answers with). */
export function parseDial(twiml: string): SimDial | null {
  const dial = /<Dial\b([^>]*)>([\s\S]*?)<\/Dial>/.exec(twiml)
  if (!dial) return null
  const a = attrs(dial[1] ?? '')
  const inner = dial[2] ?? ''
  const events = (v: string | undefined) => (v ? v.split(/\s+/).filter(Boolean) : ['completed'])
  const numbers = [...inner.matchAll(/<Number\b([^>]*)>([^<]*)<\/Number>/g)].map((m) => {
    const na = attrs(m[1] ?? '')
    return {
      number: decode(m[2] ?? ''),
      statusCallback: na.statusCallback ?? null,
      events: events(na.statusCallbackEvent),
    }
  })
  const clients = [...inner.matchAll(/<Client\b([^>]*)>([\s\S]*?)<\/Client>/g)].map((m) => {
    const ca = attrs(m[1] ?? '')
    const body = m[2] ?? ''
    const identity = /<Identity>([^<]*)<\/Identity>/.exec(body)?.[1] ?? body.trim()
    const parameters: Record<string, string> = {}
    for (const p of body.matchAll(/<Parameter\b([^>]*)\/>/g)) {
      const pa = attrs(p[1] ?? '')
      if (pa.name) parameters[pa.name] = pa.value ?? ''
    }
    return {
      identity: decode(identity),
      parameters,
      statusCallback: ca.statusCallback ?? null,
      events: events(ca.statusCallbackEvent),
    }
  })
  return {
    callerId: a.callerId ?? null,
    answerOnBridge: a.answerOnBridge === 'true',
    timeout: a.timeout ? Number(a.timeout) : null,
    action: a.action ?? null,
    numbers,
    clients,
  }
}

/** The status-callback event a call status belongs to. */
function eventOf(status: string): string {
  if (status === 'initiated' || status === 'queued') return 'initiated'
  if (status === 'ringing') return 'ringing'
  if (status === 'in-progress' || status === 'answered') return 'answered'
  return 'completed'
}

/** Builds the voice part of the simulator over its accounts. */
export function createSimVoice(getAccounts: () => Map<string, Account>, now: () => Date): SimVoice {
  let target: WebhookTarget = (request) => fetch(request)

  const accountOf = (sid: string): Account => {
    const a = getAccounts().get(sid)
    if (!a) throw new Error(`Twilio simulator: no account ${sid}`)
    return a
  }

  const post: SimVoice['post'] = async (accountSid, url, params, options = {}) => {
    const account = accountOf(accountSid)
    const headers = new Headers({
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': twilioSid(''),
    })
    // Headers given by the caller win, so tests can send a forged signature.
    const send = (href: string, body: string) => {
      for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v)
      return target(new Request(href, { method: 'POST', headers, body }))
    }
    if (options.json) {
      const body = JSON.stringify(params)
      const { createHash } = await import('node:crypto')
      const u = new URL(url)
      u.searchParams.set('bodySHA256', createHash('sha256').update(body).digest('hex'))
      headers.set('content-type', 'application/json')
      headers.set('x-twilio-signature', twilioSignature(account.authToken, u.href, {}))
      return send(u.href, body)
    }
    headers.set('content-type', 'application/x-www-form-urlencoded')
    headers.set('x-twilio-signature', twilioSignature(account.authToken, url, params))
    return send(url, new URLSearchParams(params).toString())
  }

  const base = (call: SimCall, status: string): Record<string, string> => ({
    CallSid: call.sid,
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    CallStatus: status,
    ApiVersion: '2010-04-01',
    Direction: call.direction,
    ...(call.parentCallSid ? { ParentCallSid: call.parentCallSid } : {}),
  })

  const makeCall = (
    account: Account,
    fields: Partial<SimCall> & Pick<SimCall, 'to' | 'from' | 'direction'>,
  ): SimCall => {
    const t = now()
    const call: SimCall = {
      sid: twilioSid('CA'),
      accountSid: account.sid,
      parentCallSid: null,
      status: 'ringing',
      statusCallback: null,
      statusCallbackEvents: [],
      applicationSid: null,
      url: null,
      dateCreated: t,
      dateUpdated: t,
      startTime: null,
      endTime: null,
      ...fields,
    }
    account.calls.set(call.sid, call)
    return call
  }

  const setStatus = (call: SimCall, status: string) => {
    call.status = status === 'answered' ? 'in-progress' : status
    call.dateUpdated = now()
    if (call.status === 'in-progress' && !call.startTime) call.startTime = call.dateUpdated
    if (['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(call.status))
      call.endTime = call.dateUpdated
  }

  const duration = (call: SimCall): Record<string, string> =>
    call.endTime
      ? {
          CallDuration: String(
            call.startTime ? Math.round((call.endTime.getTime() - call.startTime.getTime()) / 1000) : 0,
          ),
        }
      : {}

  const flowFor = async (
    account: Account,
    parent: SimCall,
    voiceUrl: string,
    params: Record<string, string>,
    statusCallback: string | null,
    fallbackUrl: string | null = null,
  ): Promise<SimCallFlow> => {
    const request = { ...base(parent, parent.status), ...params }
    let response: Response
    let fellBack = false
    try {
      response = await post(account.sid, voiceUrl, request)
    } catch {
      // Twilio's error 11200 (HTTP retrieval failure): a connection error counts like a 5xx.
      response = new Response('unreachable', { status: 502 })
    }
    if (!response.ok && fallbackUrl) {
      // Twilio requests the fallback URL with the same parameters plus ErrorCode and ErrorUrl.
      response = await post(account.sid, fallbackUrl, { ...request, ErrorCode: '11200', ErrorUrl: voiceUrl })
      fellBack = true
    }
    const twiml = response.ok ? await response.clone().text() : ''
    const dial = parseDial(twiml)
    const children = new Map<string, SimCall>()
    const child = (key: string, to: string) => {
      let c = children.get(key)
      if (!c) {
        c = makeCall(account, {
          to,
          from: dial?.callerId ?? parent.from,
          direction: 'outbound-dial',
          parentCallSid: parent.sid,
          status: 'queued',
        })
        children.set(key, c)
      }
      return c
    }
    const send = async (
      call: SimCall,
      url: string | null,
      events: string[],
      status: string,
      extra: Record<string, string> = {},
    ) => {
      setStatus(call, status)
      const event = eventOf(status)
      if (!url || (event !== 'completed' && !events.includes(event))) return null
      return post(account.sid, url, {
        ...base(call, call.status),
        ...duration(call),
        CallbackSource: 'call-progress-events',
        ...extra,
      })
    }
    return {
      callSid: parent.sid,
      response,
      twiml,
      dial,
      rejected: /<Reject\b/.test(twiml),
      fellBack,
      async number(status, extra) {
        const n = dial?.numbers[0]
        if (!n) throw new Error('Twilio simulator: the TwiML dialled no <Number>')
        return send(child(`n:${n.number}`, n.number), n.statusCallback, n.events, status, extra)
      },
      async client(identity, status, extra) {
        const c = dial?.clients.find((x) => x.identity === identity)
        if (!c) throw new Error(`Twilio simulator: the TwiML dialled no <Client> ${identity}`)
        return send(child(`c:${identity}`, `client:${identity}`), c.statusCallback, c.events, status, extra)
      },
      async dialAction(dialCallStatus, extra = {}) {
        if (!dial?.action) return null
        const answered = [...children.values()].find((c) => c.startTime)
        return post(account.sid, dial.action, {
          ...base(parent, parent.status),
          DialCallStatus: dialCallStatus,
          ...(answered ? { DialCallSid: answered.sid } : {}),
          ...extra,
        })
      },
      async end(status = 'completed', extra = {}) {
        setStatus(parent, status)
        if (!statusCallback) return null
        return post(account.sid, statusCallback, {
          ...base(parent, parent.status),
          ...duration(parent),
          ...extra,
        })
      },
    }
  }

  return {
    setWebhookTarget(t) {
      target = t
    },
    post,
    async clientCall({ accountSid, identity, params = {}, applicationSid }) {
      const account = accountOf(accountSid)
      const app = applicationSid
        ? account.applications.get(applicationSid)
        : [...account.applications.values()].at(-1)
      if (!app?.voiceUrl) throw new Error('Twilio simulator: no TwiML app with a voice URL')
      const parent = makeCall(account, {
        to: params.To ?? '',
        from: `client:${identity}`,
        direction: 'inbound',
        applicationSid: app.sid,
      })
      return flowFor(
        account,
        parent,
        app.voiceUrl,
        { ApplicationSid: app.sid, Caller: `client:${identity}`, ...params },
        app.statusCallback,
        app.voiceFallbackUrl,
      )
    },
    async inboundCall({ from, to }) {
      for (const account of getAccounts().values()) {
        const number = [...account.numbers.values()].find((n) => n.phoneNumber === to)
        if (!number) continue
        const app = number.voiceApplicationSid
          ? account.applications.get(number.voiceApplicationSid)
          : undefined
        const voiceUrl = app?.voiceUrl ?? number.voiceUrl
        if (!voiceUrl) throw new Error(`Twilio simulator: ${to} has no voice app or voice URL`)
        const parent = makeCall(account, { to, from, direction: 'inbound', applicationSid: app?.sid ?? null })
        return flowFor(
          account,
          parent,
          voiceUrl,
          { Caller: from, Called: to },
          app?.statusCallback ?? null,
          app?.voiceFallbackUrl ?? null,
        )
      }
      throw new Error(`Twilio simulator: no account owns ${to}`)
    },
    async progress(callSid, statuses) {
      for (const account of getAccounts().values()) {
        const call = account.calls.get(callSid)
        if (!call) continue
        for (const status of statuses) {
          setStatus(call, status)
          await deliverStatus(account, call)
        }
        return
      }
      throw new Error(`Twilio simulator: no call ${callSid}`)
    },
    async answer(callSid) {
      for (const account of getAccounts().values()) {
        const call = account.calls.get(callSid)
        if (!call) continue
        if (call.endTime) throw new Error(`Twilio simulator: call ${callSid} has ended (${call.status})`)
        setStatus(call, 'in-progress')
        await deliverStatus(account, call)
        const app = call.applicationSid ? account.applications.get(call.applicationSid) : undefined
        const voiceUrl = call.url ?? app?.voiceUrl
        if (!voiceUrl) throw new Error(`Twilio simulator: call ${callSid} has no Url or TwiML app`)
        return flowFor(
          account,
          call,
          voiceUrl,
          {},
          call.statusCallback ?? app?.statusCallback ?? null,
          app?.voiceFallbackUrl ?? null,
        )
      }
      throw new Error(`Twilio simulator: no call ${callSid}`)
    },
  }

  /** Sends a REST-created call's status callback when it subscribed to the event (completed always). */
  async function deliverStatus(account: Account, call: SimCall): Promise<void> {
    const event = eventOf(call.status)
    if (!call.statusCallback) return
    if (event !== 'completed' && !call.statusCallbackEvents.includes(event)) return
    await post(account.sid, call.statusCallback, { ...base(call, call.status), ...duration(call) })
  }
}

/** Sends the status callback of a call whose status REST changed (e.g. `calls(sid).update({ status: 'completed' })`). */
export function statusCallbackOf(
  call: SimCall,
  account: Account,
): { url: string; params: Record<string, string> } | null {
  const app = call.applicationSid ? account.applications.get(call.applicationSid) : undefined
  const url = call.statusCallback ?? app?.statusCallback ?? null
  if (!url) return null
  return {
    url,
    params: {
      CallSid: call.sid,
      AccountSid: call.accountSid,
      From: call.from,
      To: call.to,
      CallStatus: call.status,
      ApiVersion: '2010-04-01',
      Direction: call.direction,
    },
  }
}
