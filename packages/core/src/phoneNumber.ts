// Phone numbers, the one module: normalize to E.164 for the server, format as typed and for display, and turn a
// stored number back into what a person would dial. The work is done by libphonenumber-js and its metadata, which
// are loaded on first use (`loadPhoneNumberMetadata()`, started by the first call of any function here) so they are
// not part of what a host app loads up front. Until they are loaded the functions degrade: numbers are shown as
// given, and only international numbers (`+…`, 7–15 digits) are recognised, by length.
import type { CountryCode } from 'libphonenumber-js'
import { sanitizeDialString } from './dialString'
import { PhoneNumberError, type PhoneNumberProblem } from './phoneNumberError'

/** ISO 3166 country code used to read national numbers. */
export type { CountryCode, PhoneNumberProblem }
export { PhoneNumberError, sanitizeDialString }

/** Options of `normalizePhoneNumber`. */
export interface NormalizePhoneNumberOptions {
  /**
   * Require a number assigned in its country's numbering plan (default true). With false, any number of a
   * possible length passes: the call client leaves that judgement to the server, whose configuration decides
   * (test ranges such as +1 555 01xx, or plans newer than libphonenumber's metadata).
   */
  requireAssigned?: boolean
}

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

type Full = typeof import('./phoneNumberFull')
let full: Full | null = null
let loading: Promise<void> | null = null
const listeners = new Set<() => void>()

/**
 * Load libphonenumber-js and its metadata (a separate chunk, fetched once). Resolves when every function of this
 * module formats and validates fully. Called by the call client before it dials or transfers.
 */
export function loadPhoneNumberMetadata(): Promise<void> {
  loading ??= import('./phoneNumberFull').then(
    (module) => {
      full = module
      for (const listener of listeners) listener()
    },
    (error: unknown) => {
      loading = null
      throw error
    },
  )
  return loading
}

/** True once the phone-number metadata is loaded (until then formatting shows numbers as given). */
export function isPhoneNumberMetadataLoaded(): boolean {
  return full !== null
}

/** Run `listener` once the metadata is loaded; returns an unsubscribe function. Starts loading it. */
export function onPhoneNumberMetadataLoaded(listener: () => void): () => void {
  listeners.add(listener)
  void loadPhoneNumberMetadata().catch(() => {})
  return () => listeners.delete(listener)
}

/** The full implementation when loaded; otherwise starts loading it and returns null. */
function loaded(): Full | null {
  if (!full) void loadPhoneNumberMetadata().catch(() => {})
  return full
}

/** `+` and 7–15 digits, the shape of E.164, from what a person typed (separators ignored); else null. */
function international(input: string): string | null {
  const text = input.trim()
  const plain = sanitizeDialString(/^00[1-9]/.test(text) ? `+${text.slice(2)}` : text)
  return /^\+[1-9]\d{6,14}$/.test(plain) ? plain : null
}

/** Normalize what a person typed into E.164 (`+14155550123`), or throw a `PhoneNumberError` with the reason. */
export function normalizePhoneNumber(
  input: string,
  defaultCountry?: CountryCode,
  options: NormalizePhoneNumberOptions = {},
): string {
  const lib = loaded()
  if (lib) return lib.normalizePhoneNumber(input, defaultCountry, options)
  // Without metadata only the E.164 shape can be told; national numbers need it (await loadPhoneNumberMetadata()).
  if (!input.trim()) throw new PhoneNumberError('EMPTY', input)
  const e164 = defaultCountry && !/^\s*(\+|00)/.test(input) ? null : international(input)
  if (e164) return e164
  throw new PhoneNumberError(/\d/.test(input) ? 'INVALID' : 'NOT_A_NUMBER', input)
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

/** Format a phone number as it is typed, for the Dialer's input (libphonenumber-js `AsYouType`). */
export function formatPhoneNumberAsYouType(input: string, defaultCountry?: CountryCode): FormattedPhoneInput {
  const lib = loaded()
  if (lib) return lib.formatPhoneNumberAsYouType(input, defaultCountry)
  // Raw digits until the metadata is loaded; an international number of a possible E.164 length can be dialled.
  const e164 = input.startsWith('+') ? international(input) : null
  return { text: input, e164, valid: false, possible: e164 !== null, country: null }
}

/** E.164 for a dial string if it is a valid phone number, else null. */
export function toE164(raw: string, defaultCountry: CountryCode): string | null {
  const lib = loaded()
  if (lib) return lib.toE164(raw, defaultCountry)
  return raw.startsWith('+') ? international(raw) : null
}

/** A stored number for display: national format in the default country, international otherwise. */
export function formatPhoneNumber(value: string | null | undefined, defaultCountry?: CountryCode): string {
  if (!value) return ''
  const lib = loaded()
  return lib ? lib.formatPhoneNumber(value, defaultCountry) : value
}

/** The dial string a user would type for a stored number: national digits in the default country. */
export function toDialString(value: string, defaultCountry: CountryCode): string {
  const lib = loaded()
  return lib ? lib.toDialString(value, defaultCountry) : sanitizeDialString(value)
}
