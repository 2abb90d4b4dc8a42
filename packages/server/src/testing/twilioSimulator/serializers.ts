// JSON shapes of simulated Twilio resources, as the REST API returns them.
import { isoDate, rfc2822Date } from './format'
import {
  authTypeOf,
  type Credential,
  type CredentialList,
  type OriginationUrl,
  type PhoneNumber,
  type Trunk,
} from './model'
import type { RouteContext } from './routeKit'

// ---------------------------------------------------------------- serializers

export function trunkJson(ctx: RouteContext, t: Trunk): unknown {
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

export function originationUrlJson(ctx: RouteContext, o: OriginationUrl): unknown {
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

export function trunkPhoneNumberJson(ctx: RouteContext, n: PhoneNumber, trunkSid: string): unknown {
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

export function trunkCredentialListJson(
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

export function incomingNumberJson(n: PhoneNumber): unknown {
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

export function credentialListJson(l: CredentialList): unknown {
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

export function credentialJson(c: Credential): unknown {
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
