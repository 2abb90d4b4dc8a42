/** Kind of API key: `standard` cannot read /Accounts or /Keys, `main` can, `restricted` only reaches the products in `allow`. */
export type SimKeyType = 'standard' | 'main' | 'restricted'

/** An API key to seed into an account. */
export interface SimKeySeed {
  /** `SK` + 32 hex; generated when omitted. */
  sid?: string
  /** Generated when omitted. */
  secret?: string
  friendlyName?: string
  type?: SimKeyType
  /** For `restricted` keys: which hosts the key may call. */
  allow?: Array<'api' | 'trunking'>
}

/** A phone number to seed into an account. */
export interface SimNumberSeed {
  /** `PN` + 32 hex; generated when omitted. */
  sid?: string
  /** E.164, e.g. `+14155550100`. */
  phoneNumber: string
  friendlyName?: string
  /** Defaults to voice, sms and mms on. */
  capabilities?: Partial<{ voice: boolean; sms: boolean; mms: boolean; fax: boolean }>
  /** Put the number on a trunk of the same account (seed that trunk in `trunks`). */
  trunkSid?: string | null
  voiceUrl?: string | null
  voiceApplicationSid?: string
}

/** A trunk to seed (e.g. a customer's existing PBX trunk). */
export interface SimTrunkSeed {
  sid?: string
  friendlyName?: string | null
  domainName?: string | null
}

/** One Twilio account of the simulator. */
export interface SimAccountSeed {
  /** `AC` + 32 hex; generated when omitted. */
  sid?: string
  authToken?: string
  friendlyName?: string
  /** `Trial` accounts may hold one trunk. */
  type?: 'Full' | 'Trial'
  /** When false, every trunking.twilio.com call answers 403 with code 10002 (how the simulator reports Elastic SIP Trunking not enabled). */
  trunkingEnabled?: boolean
  /** API keys of the account; one standard key is created when omitted. */
  keys?: SimKeySeed[]
  numbers?: SimNumberSeed[]
  trunks?: SimTrunkSeed[]
}

/** Options of `createTwilioSimulator`. */
export interface TwilioSimulatorOptions {
  accounts: SimAccountSeed[]
  /** What POSTing a number that sits on another trunk does: `reassign` moves it (default), `reject` answers 400. */
  attachConflict?: 'reassign' | 'reject'
  /** Clock for `date_created`/`date_updated`. */
  now?: () => Date
  /** Where voice webhooks go (e.g. `ringline.handler`); default the global `fetch`. */
  webhookTarget?: (request: Request) => Promise<Response>
}

/** A fault to inject on matching requests (route id, `prefix.*` or `*`). */
export interface TwilioFault {
  /** HTTP status to answer; omit for a pure latency fault. */
  status?: number
  /** Twilio error code in the body; defaults by status (429 → 20429, 5xx → 20500, 401 → 20003, 403 → 20403, 404 → 20404). */
  code?: number
  message?: string
  /** Seconds, sent as a `Retry-After` header. */
  retryAfter?: number
  /** Drop the connection instead of answering (a transport error on the client). */
  networkError?: boolean
  /** Delay before answering, in ms. */
  delayMs?: number
  /** Hold matching requests until this settles (a barrier for deterministic race tests), before `delayMs`. */
  until?: Promise<unknown>
  /** How many matching requests the fault applies to (default 1; `Infinity` for all). */
  times?: number
  /** `before` (default) fails without changing state; `after` applies the change and then fails, like a lost response. */
  when?: 'before' | 'after'
  /** Only requests authenticated into this account. */
  accountSid?: string
  /** Only this HTTP method. */
  method?: string
}

/** Handle of an injected fault. */
export interface TwilioFaultHandle {
  /** Remaining matches (Infinity for permanent faults). */
  readonly remaining: number
  /** How many requests it has hit so far. */
  readonly hits: number
  remove(): void
}

/** One request the simulator answered (passwords redacted, auth never recorded). */
export interface SimRequestLog {
  routeId: string | null
  method: string
  url: string
  status: number
  accountSid: string | null
  params: Record<string, string>
  fault: boolean
}

/** Snapshot of a trunk. */
export interface SimTrunkState {
  sid: string
  friendlyName: string | null
  domainName: string | null
  authType: string
  authTypeSet: string[]
  dateCreated: Date
}
/** Snapshot of an origination URL. */
export interface SimOriginationUrlState {
  sid: string
  trunkSid: string
  friendlyName: string
  sipUrl: string
  weight: number
  priority: number
  enabled: boolean
}
/** Snapshot of an incoming phone number. */
export interface SimNumberState {
  sid: string
  phoneNumber: string
  friendlyName: string
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean }
  trunkSid: string | null
  voiceApplicationSid: string
  voiceUrl: string | null
}
/** Snapshot of a credential list with its credentials (passwords included: this is a test tool). */
export interface SimCredentialListState {
  sid: string
  friendlyName: string
  credentials: Array<{ sid: string; username: string; password: string }>
}
/** What `sim.state(accountSid)` returns: deep copies, safe to keep. */
export interface SimAccountState {
  sid: string
  type: 'Full' | 'Trial'
  trunkingEnabled: boolean
  trunks: SimTrunkState[]
  originationUrls: SimOriginationUrlState[]
  numbers: SimNumberState[]
  credentialLists: SimCredentialListState[]
  trunkCredentialLists: Array<{ trunkSid: string; credentialListSid: string }>
  /** API keys of the account (secrets left out). */
  keys: Array<{ sid: string; friendlyName: string; type: SimKeyType }>
  /** TwiML apps. */
  applications: Array<{
    sid: string
    friendlyName: string
    voiceUrl: string | null
    voiceFallbackUrl: string | null
    statusCallback: string | null
  }>
  /** Calls, newest last. */
  calls: Array<{
    sid: string
    parentCallSid: string | null
    to: string
    from: string
    status: string
    direction: string
    /** The TwiML URL of a REST-created call (`Url`), else null. */
    url: string | null
    statusCallback: string | null
    /** `StatusCallbackEvent` values it subscribed to. */
    statusCallbackEvents: string[]
  }>
}

/** Credentials of a seeded account, for building clients in tests. */
export interface SimAccountCredentials {
  sid: string
  authToken: string
  keys: Array<{ sid: string; secret: string; type: SimKeyType }>
}
