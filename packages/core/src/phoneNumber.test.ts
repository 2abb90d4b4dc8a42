import { beforeAll, describe, expect, it } from 'vitest'
import {
  formatPhoneNumber,
  formatPhoneNumberAsYouType,
  isValidPhoneNumber,
  loadPhoneNumberMetadata,
  normalizePhoneNumber,
  PhoneNumberError,
  sanitizeDialString,
  toDialString,
  toE164,
} from './phoneNumber'

// The metadata loads on first use; these tests are about the full behaviour once it is there.
beforeAll(() => loadPhoneNumberMetadata())

describe('normalizePhoneNumber', () => {
  it.each([
    ['(415) 555-0123', 'US', '+14155550123'],
    ['+1 415 555 0123', undefined, '+14155550123'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['0044 20 7946 0958', undefined, '+442079460958'],
    ['+33 1 42 68 53 00', 'US', '+33142685300'],
  ] as const)('%s (%s) → %s', (input, country, e164) => {
    expect(normalizePhoneNumber(input, country)).toBe(e164)
  })

  it.each([
    ['', 'US', 'EMPTY'],
    ['hello', 'US', 'NOT_A_NUMBER'],
    ['415 555 0123', undefined, 'INVALID_COUNTRY'],
    ['12', 'US', 'TOO_SHORT'],
    ['+1 415 555 01234567', undefined, 'TOO_LONG'],
    ['+1 123 456 7890', undefined, 'INVALID'],
  ] as const)('rejects %j (%s) with reason %s', (input, country, reason) => {
    let error: unknown
    try {
      normalizePhoneNumber(input, country)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PhoneNumberError)
    expect((error as PhoneNumberError).code).toBe('INVALID_PHONE_NUMBER')
    expect((error as PhoneNumberError).reason).toBe(reason)
    expect((error as PhoneNumberError).message.length).toBeGreaterThan(5)
  })

  it('has a boolean form', () => {
    expect(isValidPhoneNumber('4155550123', 'US')).toBe(true)
    expect(isValidPhoneNumber('4155', 'US')).toBe(false)
  })
})

describe('formatPhoneNumberAsYouType', () => {
  it('accepts an unassigned number of possible length only when asked to', () => {
    expect(() => normalizePhoneNumber('+15550100001')).toThrow(PhoneNumberError)
    expect(normalizePhoneNumber('+15550100001', undefined, { requireAssigned: false })).toBe('+15550100001')
    expect(() => normalizePhoneNumber('+1555010', undefined, { requireAssigned: false })).toThrow(
      PhoneNumberError,
    )
    expect(formatPhoneNumberAsYouType('+15550100001')).toMatchObject({ valid: false, possible: true })
  })

  it('formats partial input and reports validity once complete', () => {
    expect(formatPhoneNumberAsYouType('415555', 'US')).toMatchObject({
      text: '(415) 555',
      valid: false,
      possible: false,
    })
    expect(formatPhoneNumberAsYouType('4155550123', 'US')).toEqual({
      text: '(415) 555-0123',
      e164: '+14155550123',
      valid: true,
      possible: true,
      country: 'US',
    })
    expect(formatPhoneNumberAsYouType('+442079460958')).toMatchObject({
      country: 'GB',
      valid: true,
      e164: '+442079460958',
    })
  })
})

describe('display and dial strings', () => {
  it.each([
    ['+14155550123', 'US', '(415) 555-0123'],
    ['+442079460958', 'US', '+44 20 7946 0958'],
    ['not a number', 'US', 'not a number'],
    [null, 'US', ''],
  ] as const)('formatPhoneNumber(%s, %s) → %s', (value, country, text) => {
    expect(formatPhoneNumber(value, country)).toBe(text)
  })

  it('keeps only dialable characters, + only in front', () => {
    expect(sanitizeDialString(' +1 (415) 555-01+23#*x')).toBe('+14155550123#*')
  })

  it('reads E.164 only from a valid number', () => {
    expect(toE164('(415) 555-0123', 'US')).toBe('+14155550123')
    expect(toE164('123', 'US')).toBeNull()
  })

  it('gives national digits in the default country, the number as stored elsewhere', () => {
    expect(toDialString('+14155550123', 'US')).toBe('4155550123')
    expect(toDialString('+442079460958', 'US')).toBe('+442079460958')
  })
})
