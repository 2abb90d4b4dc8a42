// Phone number parsing for the server: what users type, and the country of a configured number.
import {
  type CountryCode,
  ParseError,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max'
import { HttpError } from './http/errors'

const PARSE_REASONS: Record<string, string> = {
  INVALID_COUNTRY: 'the country could not be determined; start the number with + and its country code',
  NOT_A_NUMBER: 'it is not a phone number',
  TOO_SHORT: 'it is too short',
  TOO_LONG: 'it is too long',
  INVALID_LENGTH: 'it has an invalid length',
}

/** How to let test numbers through: in the message of NOT_ASSIGNED (read in logs and curl) and in its `details.hint`. */
const UNASSIGNED_HINT =
  'Test numbers (such as the sandbox phones, +1 555 …) are refused unless the server sets `calls: { allowUnassignedNumbers: true }`.'

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
      `"${field}" is not a valid phone number: ${phone.number} is not assigned in its numbering plan. ${UNASSIGNED_HINT}`,
      { field, details: { reason: 'NOT_ASSIGNED', hint: UNASSIGNED_HINT } },
    )
  }
  return phone
}

/** The country of an E.164 number (a caller id), or undefined when it has none or does not parse. */
export function countryOf(number: string | null | undefined): CountryCode | undefined {
  if (!number) return undefined
  try {
    return parsePhoneNumberWithError(number).country
  } catch {
    return undefined
  }
}
