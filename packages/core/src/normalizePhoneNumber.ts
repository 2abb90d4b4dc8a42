import {
  type CountryCode,
  ParseError,
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

export type { CountryCode }
