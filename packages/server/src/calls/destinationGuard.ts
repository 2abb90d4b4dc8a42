import {
  type CountryCode,
  getCountryCallingCode,
  type NumberType,
  ParseError,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max'
import { HttpError } from '../http/errors'
import type { CallGuardOptions } from '../types'

/** Number types refused unless configured otherwise: the classic toll-fraud targets. */
export const DEFAULT_BLOCKED_TYPES: NumberType[] = [
  'PREMIUM_RATE',
  'SHARED_COST',
  'UAN',
  'PERSONAL_NUMBER',
  'VOICEMAIL',
  'PAGER',
]

const PARSE_REASONS: Record<string, string> = {
  INVALID_COUNTRY: 'the country could not be determined; start the number with + and its country code',
  NOT_A_NUMBER: 'it is not a phone number',
  TOO_SHORT: 'it is too short',
  TOO_LONG: 'it is too long',
  INVALID_LENGTH: 'it has an invalid length',
}

/** Parses what a user typed (`+1 415…`, national format, `tel:` URI) into a phone number, or throws `INVALID_PHONE_NUMBER` with the reason. */
export function parsePhone(
  input: string,
  options: { defaultCountry?: CountryCode; allowUnassigned?: boolean; field?: string } = {},
): PhoneNumber {
  const field = options.field ?? 'to'
  const text = input.trim().replace(/^tel:/i, '')
  let phone: PhoneNumber
  try {
    phone = parsePhoneNumberWithError(
      text,
      options.defaultCountry ? { defaultCountry: options.defaultCountry } : {},
    )
  } catch (error) {
    const reason =
      error instanceof ParseError
        ? (PARSE_REASONS[error.message] ?? error.message)
        : 'it is not a phone number'
    throw new HttpError('INVALID_PHONE_NUMBER', `"${field}" is not a valid phone number: ${reason}.`, {
      field,
      details: { reason: error instanceof ParseError ? error.message : 'NOT_A_NUMBER' },
    })
  }
  if (!phone.isPossible()) {
    throw new HttpError(
      'INVALID_PHONE_NUMBER',
      `"${field}" is not a valid phone number: it has an impossible length.`,
      {
        field,
        details: { reason: 'INVALID_LENGTH' },
      },
    )
  }
  if (!phone.isValid() && !options.allowUnassigned) {
    throw new HttpError(
      'INVALID_PHONE_NUMBER',
      `"${field}" is not a valid phone number: ${phone.number} is not assigned in its numbering plan.`,
      { field, details: { reason: 'NOT_ASSIGNED' } },
    )
  }
  return phone
}

/** The countries calls may go to, from the options or else the caller id's country. */
export function allowedDestinations(
  options: CallGuardOptions,
  callerId: string | undefined,
): CountryCode[] | '*' | { callingCode: string } | null {
  if (options.allowedCountries) return options.allowedCountries
  if (!callerId) return null
  try {
    const caller = parsePhoneNumberWithError(callerId)
    return caller.country ? [caller.country] : { callingCode: caller.countryCallingCode }
  } catch {
    return null
  }
}

/** Refuses destinations outside the allowed countries or of a blocked number type (`DESTINATION_NOT_ALLOWED`). */
export function checkDestination(
  phone: PhoneNumber,
  options: CallGuardOptions,
  callerId: string | undefined,
  field = 'to',
): void {
  if (options.disabled) return
  const allowed = allowedDestinations(options, callerId)
  const refuse = (message: string, reason: string): never => {
    throw new HttpError('DESTINATION_NOT_ALLOWED', message, { field, details: { reason } })
  }
  if (allowed === null) {
    refuse(
      'No destination countries are allowed: set RINGLINE_CALLER_ID or `calls.allowedCountries`.',
      'NO_COUNTRIES',
    )
  } else if (allowed !== '*') {
    const ok = Array.isArray(allowed)
      ? phone.country
        ? allowed.includes(phone.country)
        : allowed.some((c) => getCountryCallingCode(c) === phone.countryCallingCode)
      : phone.countryCallingCode === allowed.callingCode
    if (!ok) {
      refuse(
        `Calls to ${phone.country ?? `+${phone.countryCallingCode}`} are not allowed for this workspace.`,
        'COUNTRY_NOT_ALLOWED',
      )
    }
  }
  const type = phone.getType()
  const blocked = options.blockedNumberTypes ?? DEFAULT_BLOCKED_TYPES
  if (type && blocked.includes(type)) {
    refuse(`Calls to ${type.toLowerCase().replace(/_/g, '-')} numbers are not allowed.`, type)
  }
}
