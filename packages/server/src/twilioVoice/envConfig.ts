// Single-tenant fallback: Twilio Voice settings from TWILIO_* environment variables, used for a tenant with none stored.
import { TWILIO_ACCOUNT_SID_PATTERN, TWILIO_API_KEY_SID_PATTERN } from '@ringline/core/protocol'
import { env } from '../config'
import type { Logger } from '../types'

/** Twilio Voice settings read from the environment (secrets in clear, never stored or returned). */
export interface TwilioVoiceEnv {
  accountSid: string
  apiKeySid: string
  apiKeySecret: string
  twimlAppSid: string
  /** Signs Twilio's webhooks; without it webhooks cannot be verified and are refused. */
  authToken: string | null
  callerId: string | null
  /** Only this tenant falls back to the environment; null means every tenant without stored settings. */
  tenantId: string | null
}

/** The variables of the fallback: the four required, then the optional ones. */
export const TWILIO_VOICE_ENV = {
  required: ['TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_TWIML_APP_SID'],
  optional: ['TWILIO_AUTH_TOKEN', 'TWILIO_CALLER_ID', 'TWILIO_VOICE_TENANT'],
} as const

const APP_SID = /^AP[0-9a-fA-F]{32}$/
const E164 = /^\+[1-9]\d{6,14}$/

/**
 * Reads the `TWILIO_*` fallback. Returns null when none of the required variables is set; when some are missing
 * or malformed it logs which (names only, never values) and returns null, so a half-set environment never
 * serves a broken configuration.
 */
export function twilioVoiceFromEnv(logger: Logger, readEnv: (name: string) => string | undefined = env) {
  // `ringline doctor` names the key TWILIO_API_KEY_SID / TWILIO_API_KEY_SECRET: accepted as the same variables.
  const aliases: Record<string, string> = {
    TWILIO_API_KEY: 'TWILIO_API_KEY_SID',
    TWILIO_API_SECRET: 'TWILIO_API_KEY_SECRET',
  }
  const read = (name: string) => readEnv(name) ?? (aliases[name] ? readEnv(aliases[name]) : undefined)
  const [accountSid, apiKeySid, apiKeySecret, twimlAppSid] = TWILIO_VOICE_ENV.required.map(read)
  if (!accountSid && !apiKeySid && !apiKeySecret && !twimlAppSid) return null
  const missing = TWILIO_VOICE_ENV.required.filter((name) => !read(name))
  const problems: string[] = missing.map((name) => `${name} is not set`)
  if (accountSid && !TWILIO_ACCOUNT_SID_PATTERN.test(accountSid))
    problems.push('TWILIO_ACCOUNT_SID is not an Account SID (AC + 32 hex)')
  if (apiKeySid && !TWILIO_API_KEY_SID_PATTERN.test(apiKeySid))
    problems.push('TWILIO_API_KEY is not an API key SID (SK + 32 hex)')
  if (twimlAppSid && !APP_SID.test(twimlAppSid))
    problems.push('TWILIO_TWIML_APP_SID is not a TwiML app SID (AP + 32 hex)')
  const callerId = read('TWILIO_CALLER_ID') ?? null
  if (callerId && !E164.test(callerId)) problems.push('TWILIO_CALLER_ID is not an E.164 number')
  if (problems.length > 0) {
    logger.warn('ringline: the TWILIO_* Twilio Voice fallback is ignored', { problems })
    return null
  }
  const authToken = read('TWILIO_AUTH_TOKEN') ?? null
  if (!authToken) {
    logger.warn(
      'ringline: TWILIO_AUTH_TOKEN is not set: Twilio Voice webhooks of the environment settings cannot be verified and are refused',
    )
  }
  return {
    accountSid: accountSid as string,
    apiKeySid: apiKeySid as string,
    apiKeySecret: apiKeySecret as string,
    twimlAppSid: twimlAppSid as string,
    authToken,
    callerId,
    tenantId: read('TWILIO_VOICE_TENANT') ?? null,
  } satisfies TwilioVoiceEnv
}
