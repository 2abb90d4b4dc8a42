// The full phone-number implementation over libphonenumber-js and its metadata. Loaded on first use by
// `loadPhoneNumberMetadata()` (./phoneNumber), so the metadata is not in what a host app loads up front.
import {
  AsYouType,
  type CountryCode,
  ParseError,
  parsePhoneNumberFromString,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js'
import { sanitizeDialString } from './dialString'
import type { FormattedPhoneInput, NormalizePhoneNumberOptions } from './phoneNumber'
import {
  phoneNumberMessages as messages,
  PhoneNumberError,
  type PhoneNumberProblem,
} from './phoneNumberError'

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
