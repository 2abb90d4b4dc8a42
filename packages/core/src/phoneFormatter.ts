import { AsYouType, type CountryCode } from 'libphonenumber-js'

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
