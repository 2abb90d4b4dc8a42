import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js'

/** ISO 3166 country code used to read national numbers. */
export type { CountryCode }

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
