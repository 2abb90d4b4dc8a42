// Phone numbers, the one module: normalize to E.164 for the server, format as typed and for display, and turn a
// stored number back into what a person would dial. All of it over libphonenumber-js.
import {
  AsYouType,
  type CountryCode,
  ParseError,
  parsePhoneNumberFromString,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js'
import { RinglineError } from './ringlineError'

/** Why a phone number could not be normalized. */
export type PhoneNumberProblem =
  | 'EMPTY'
  | 'NOT_A_NUMBER'
  | 'INVALID_COUNTRY'
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'INVALID_LENGTH'
  | 'INVALID'

/** Error thrown by `normalizePhoneNumber`: code `INVALID_PHONE_NUMBER`, `reason` says what is wrong. */
export class PhoneNumberError extends RinglineError {
  readonly reason: PhoneNumberProblem
  constructor(reason: PhoneNumberProblem, input: string) {
    super('INVALID_PHONE_NUMBER', messages[reason](input), { field: 'to', details: { reason } })
    this.reason = reason
  }
}

const messages: Record<PhoneNumberProblem, (input: string) => string> = {
  EMPTY: () => 'Enter a phone number.',
  NOT_A_NUMBER: (i) => `"${i}" is not a phone number.`,
  INVALID_COUNTRY: (i) => `Add the country code to "${i}" (start with +), or pass a default country.`,
  TOO_SHORT: (i) => `"${i}" is too short for a phone number.`,
  TOO_LONG: (i) => `"${i}" is too long for a phone number.`,
  INVALID_LENGTH: (i) => `"${i}" has the wrong number of digits.`,
  INVALID: (i) => `"${i}" is not a valid phone number.`,
}

/** Options of `normalizePhoneNumber`. */
export interface NormalizePhoneNumberOptions {
  /**
   * Require a number assigned in its country's numbering plan (default true). With false, any number of a
   * possible length passes: the call client leaves that judgement to the server, whose configuration decides
   * (test ranges such as +1 555 01xx, or plans newer than libphonenumber's metadata).
   */
  requireAssigned?: boolean
}

/** Normalize what a person typed into E.164 (`+14155550123`), or throw a `PhoneNumberError` with the reason. */
export function normalizePhoneNumber(
  input: string,
  defaultCountry?: CountryCode,
  options: NormalizePhoneNumberOptions = {},
): string {
  const trimmed = input.trim()
  if (!trimmed) throw new PhoneNumberError('EMPTY', input)
  // "00" is the international prefix in most of the world; libphonenumber needs a country to read it.
  const text = /^00[1-9]/.test(trimmed) && !defaultCountry ? `+${trimmed.slice(2)}` : trimmed
  let phone: ReturnType<typeof parsePhoneNumberWithError>
  try {
    phone = parsePhoneNumberWithError(text, defaultCountry)
  } catch (error) {
    if (error instanceof ParseError && error.message in messages) {
      throw new PhoneNumberError(error.message as PhoneNumberProblem, input)
    }
    throw new PhoneNumberError('NOT_A_NUMBER', input)
  }
  if (options.requireAssigned === false ? !phone.isPossible() : !phone.isValid()) {
    const length = validatePhoneNumberLength(text, defaultCountry)
    throw new PhoneNumberError(
      length && length in messages ? (length as PhoneNumberProblem) : 'INVALID',
      input,
    )
  }
  return phone.number
}

/** True when `input` normalizes to a valid E.164 number. */
export function isValidPhoneNumber(input: string, defaultCountry?: CountryCode): boolean {
  try {
    normalizePhoneNumber(input, defaultCountry)
    return true
  } catch {
    return false
  }
}

/** ISO 3166 country code used to read national numbers. */
export type { CountryCode }

/** What the Dialer shows for the digits typed so far. */
export interface FormattedPhoneInput {
  /** Display text, e.g. `(415) 555-0`. */
  text: string
  /** E.164 so far, or null while it cannot be told. */
  e164: string | null
  /** True once the number is complete and valid. */
  valid: boolean
  /** True once the number has a possible length for its country (valid or not yet assigned). */
  possible: boolean
  /** Detected country, if any. */
  country: CountryCode | null
}

/** Format a phone number as it is typed, for the Dialer's input (libphonenumber-js `AsYouType`). */
export function formatPhoneNumberAsYouType(input: string, defaultCountry?: CountryCode): FormattedPhoneInput {
  const formatter = new AsYouType(defaultCountry)
  const text = formatter.input(input)
  const number = formatter.getNumber()
  return {
    text,
    e164: number?.number ?? null,
    valid: number?.isValid() ?? false,
    possible: number?.isPossible() ?? false,
    country: formatter.getCountry() ?? null,
  }
}

/** Characters a dial string may hold. */
const DIALABLE = /[^\d+*#]/g

/** Keeps only dialable characters; `+` only in front. */
export function sanitizeDialString(input: string): string {
  const cleaned = input.replace(DIALABLE, '')
  const plus = cleaned.startsWith('+') ? '+' : ''
  return plus + cleaned.replace(/\+/g, '')
}

/** E.164 for a dial string if it is a valid phone number, else null. */
export function toE164(raw: string, defaultCountry: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(raw, raw.startsWith('+') ? undefined : defaultCountry)
  return parsed?.isValid() ? parsed.number : null
}

/** A stored number for display: national format in the default country, international otherwise. */
export function formatPhoneNumber(value: string | null | undefined, defaultCountry?: CountryCode): string {
  if (!value) return ''
  const parsed = parsePhoneNumberFromString(value, defaultCountry)
  if (!parsed) return value
  return defaultCountry && parsed.country === defaultCountry
    ? parsed.formatNational()
    : parsed.formatInternational()
}

/** The dial string a user would type for a stored number: national digits in the default country. */
export function toDialString(value: string, defaultCountry: CountryCode): string {
  const parsed = parsePhoneNumberFromString(value, defaultCountry)
  if (parsed && parsed.country === defaultCountry) return sanitizeDialString(parsed.formatNational())
  return sanitizeDialString(value)
}
