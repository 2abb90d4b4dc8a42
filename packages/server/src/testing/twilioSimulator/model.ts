import { randomBytes } from 'node:crypto'
import { twilioSid } from './format'
import type { SimAccountSeed, SimAccountState, SimKeyType, SimNumberSeed } from './types'

/** A trunk as the simulator holds it. */
export interface Trunk {
  sid: string
  accountSid: string
  friendlyName: string | null
  domainName: string | null
  disasterRecoveryUrl: string | null
  disasterRecoveryMethod: string | null
  secure: boolean
  cnamLookupEnabled: boolean
  transferMode: string
  transferCallerId: string
  dateCreated: Date
  dateUpdated: Date
}

/** An origination URL of a trunk. */
export interface OriginationUrl {
  sid: string
  accountSid: string
  trunkSid: string
  friendlyName: string
  sipUrl: string
  weight: number
  priority: number
  enabled: boolean
  dateCreated: Date
  dateUpdated: Date
}

/** An IncomingPhoneNumber; also what the trunk PhoneNumbers resource shows. */
export interface PhoneNumber {
  sid: string
  accountSid: string
  phoneNumber: string
  friendlyName: string
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean }
  trunkSid: string | null
  voiceApplicationSid: string
  voiceUrl: string | null
  voiceMethod: string
  dateCreated: Date
  dateUpdated: Date
}

/** An account-level SIP credential list. */
export interface CredentialList {
  sid: string
  accountSid: string
  friendlyName: string
  dateCreated: Date
  dateUpdated: Date
}

/** A credential of a list. */
export interface Credential {
  sid: string
  accountSid: string
  credentialListSid: string
  username: string
  password: string
  dateCreated: Date
  dateUpdated: Date
}

/** Link of a credential list to a trunk (termination auth). */
export interface TrunkCredentialList {
  trunkSid: string
  credentialListSid: string
  dateCreated: Date
}

/** An API key. */
export interface ApiKey {
  sid: string
  secret: string
  friendlyName: string
  type: SimKeyType
  allow: Array<'api' | 'trunking'>
  dateCreated: Date
}

/** A TwiML app (Programmable Voice). */
export interface Application {
  sid: string
  accountSid: string
  friendlyName: string
  voiceUrl: string | null
  voiceMethod: string
  /** Requested when the voice URL fails (error, non-2xx or bad TwiML), with `ErrorCode` and `ErrorUrl`. */
  voiceFallbackUrl: string | null
  voiceFallbackMethod: string
  statusCallback: string | null
  statusCallbackMethod: string
  dateCreated: Date
  dateUpdated: Date
}

/** A call (created through REST or by a simulated browser or phone). */
export interface SimCall {
  sid: string
  accountSid: string
  parentCallSid: string | null
  to: string
  from: string
  status: string
  direction: string
  statusCallback: string | null
  statusCallbackEvents: string[]
  applicationSid: string | null
  url: string | null
  dateCreated: Date
  dateUpdated: Date
  startTime: Date | null
  endTime: Date | null
}

/** All state of one account. */
export interface Account {
  sid: string
  authToken: string
  friendlyName: string
  type: 'Full' | 'Trial'
  trunkingEnabled: boolean
  dateCreated: Date
  keys: Map<string, ApiKey>
  trunks: Map<string, Trunk>
  originationUrls: Map<string, OriginationUrl>
  numbers: Map<string, PhoneNumber>
  credentialLists: Map<string, CredentialList>
  credentials: Map<string, Credential>
  trunkCredentialLists: TrunkCredentialList[]
  applications: Map<string, Application>
  calls: Map<string, SimCall>
}

const DEFAULT_CAPABILITIES = { voice: true, sms: true, mms: true, fax: false }

/** US-style friendly name of an E.164 number, like Twilio shows it. */
export function friendlyNameOf(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164)
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164
}

/** Make a number record from a seed. */
export function makeNumber(accountSid: string, seed: SimNumberSeed, now: Date): PhoneNumber {
  return {
    sid: seed.sid ?? twilioSid('PN'),
    accountSid,
    phoneNumber: seed.phoneNumber,
    friendlyName: seed.friendlyName ?? friendlyNameOf(seed.phoneNumber),
    capabilities: { ...DEFAULT_CAPABILITIES, ...seed.capabilities },
    trunkSid: seed.trunkSid ?? null,
    voiceApplicationSid: seed.voiceApplicationSid ?? '',
    voiceUrl: seed.voiceUrl ?? null,
    voiceMethod: 'POST',
    dateCreated: now,
    dateUpdated: now,
  }
}

/** Make a trunk record. */
export function makeTrunk(accountSid: string, fields: Partial<Trunk>, now: Date): Trunk {
  return {
    sid: fields.sid ?? twilioSid('TK'),
    accountSid,
    friendlyName: fields.friendlyName ?? null,
    domainName: fields.domainName ?? null,
    disasterRecoveryUrl: fields.disasterRecoveryUrl ?? null,
    disasterRecoveryMethod: fields.disasterRecoveryMethod ?? null,
    secure: fields.secure ?? false,
    cnamLookupEnabled: fields.cnamLookupEnabled ?? false,
    transferMode: fields.transferMode ?? 'disable-all',
    transferCallerId: fields.transferCallerId ?? 'from-transferee',
    dateCreated: now,
    dateUpdated: now,
  }
}

/** Build an account from its seed. */
export function makeAccount(seed: SimAccountSeed, now: Date): Account {
  const sid = seed.sid ?? twilioSid('AC')
  const account: Account = {
    sid,
    authToken: seed.authToken ?? randomBytes(16).toString('hex'),
    friendlyName: seed.friendlyName ?? `Account ${sid.slice(-4)}`,
    type: seed.type ?? 'Full',
    trunkingEnabled: seed.trunkingEnabled ?? true,
    dateCreated: now,
    keys: new Map(),
    trunks: new Map(),
    originationUrls: new Map(),
    numbers: new Map(),
    credentialLists: new Map(),
    credentials: new Map(),
    trunkCredentialLists: [],
    applications: new Map(),
    calls: new Map(),
  }
  const keys = seed.keys ?? [{}]
  for (const k of keys) {
    const key: ApiKey = {
      sid: k.sid ?? twilioSid('SK'),
      secret: k.secret ?? randomBytes(16).toString('hex'),
      friendlyName: k.friendlyName ?? 'test key',
      type: k.type ?? 'standard',
      allow: k.allow ?? ['api', 'trunking'],
      dateCreated: now,
    }
    account.keys.set(key.sid, key)
  }
  for (const t of seed.trunks ?? []) {
    const trunk = makeTrunk(
      sid,
      { sid: t.sid, friendlyName: t.friendlyName ?? null, domainName: t.domainName ?? null },
      now,
    )
    account.trunks.set(trunk.sid, trunk)
  }
  for (const n of seed.numbers ?? []) {
    const number = makeNumber(sid, n, now)
    if (number.trunkSid && !account.trunks.has(number.trunkSid)) {
      throw new Error(
        `Simulator seed: number ${number.phoneNumber} is on trunk ${number.trunkSid}, which is not seeded in account ${sid}`,
      )
    }
    account.numbers.set(number.sid, number)
  }
  return account
}

/** `auth_type` and `auth_type_set` of a trunk, recomputed from its associations. */
export function authTypeOf(account: Account, trunkSid: string): { authType: string; authTypeSet: string[] } {
  const set = account.trunkCredentialLists.some((l) => l.trunkSid === trunkSid) ? ['CREDENTIAL_LIST'] : []
  return { authType: set.join(','), authTypeSet: set }
}

/** Deep-copied snapshot of an account for assertions. */
export function snapshot(account: Account): SimAccountState {
  return {
    sid: account.sid,
    type: account.type,
    trunkingEnabled: account.trunkingEnabled,
    trunks: [...account.trunks.values()].map((t) => ({
      sid: t.sid,
      friendlyName: t.friendlyName,
      domainName: t.domainName,
      ...authTypeOf(account, t.sid),
      dateCreated: new Date(t.dateCreated),
    })),
    originationUrls: [...account.originationUrls.values()].map((o) => ({
      sid: o.sid,
      trunkSid: o.trunkSid,
      friendlyName: o.friendlyName,
      sipUrl: o.sipUrl,
      weight: o.weight,
      priority: o.priority,
      enabled: o.enabled,
    })),
    numbers: [...account.numbers.values()].map((n) => ({
      sid: n.sid,
      phoneNumber: n.phoneNumber,
      friendlyName: n.friendlyName,
      capabilities: { ...n.capabilities },
      trunkSid: n.trunkSid,
      voiceApplicationSid: n.voiceApplicationSid,
      voiceUrl: n.voiceUrl,
    })),
    credentialLists: [...account.credentialLists.values()].map((l) => ({
      sid: l.sid,
      friendlyName: l.friendlyName,
      credentials: [...account.credentials.values()]
        .filter((c) => c.credentialListSid === l.sid)
        .map((c) => ({ sid: c.sid, username: c.username, password: c.password })),
    })),
    trunkCredentialLists: account.trunkCredentialLists.map((l) => ({
      trunkSid: l.trunkSid,
      credentialListSid: l.credentialListSid,
    })),
    keys: [...account.keys.values()].map((k) => ({ sid: k.sid, friendlyName: k.friendlyName, type: k.type })),
    applications: [...account.applications.values()].map((a) => ({
      sid: a.sid,
      friendlyName: a.friendlyName,
      voiceUrl: a.voiceUrl,
      voiceFallbackUrl: a.voiceFallbackUrl,
      statusCallback: a.statusCallback,
    })),
    calls: [...account.calls.values()].map((c) => ({
      sid: c.sid,
      parentCallSid: c.parentCallSid,
      to: c.to,
      from: c.from,
      status: c.status,
      direction: c.direction,
      url: c.url,
      statusCallback: c.statusCallback,
      statusCallbackEvents: [...c.statusCallbackEvents],
    })),
  }
}
