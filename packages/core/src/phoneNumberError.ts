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
    super('INVALID_PHONE_NUMBER', phoneNumberMessages[reason](input), { field: 'to', details: { reason } })
    this.reason = reason
  }
}

export const phoneNumberMessages: Record<PhoneNumberProblem, (input: string) => string> = {
  EMPTY: () => 'Enter a phone number.',
  NOT_A_NUMBER: (i) => `"${i}" is not a phone number.`,
  INVALID_COUNTRY: (i) => `Add the country code to "${i}" (start with +), or pass a default country.`,
  TOO_SHORT: (i) => `"${i}" is too short for a phone number.`,
  TOO_LONG: (i) => `"${i}" is too long for a phone number.`,
  INVALID_LENGTH: (i) => `"${i}" has the wrong number of digits.`,
  INVALID: (i) => `"${i}" is not a valid phone number.`,
}
