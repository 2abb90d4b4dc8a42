import { describe, expect, it } from 'vitest'
import {
  formatPhoneNumber,
  formatPhoneNumberAsYouType,
  isPhoneNumberMetadataLoaded,
  isValidPhoneNumber,
  loadPhoneNumberMetadata,
  normalizePhoneNumber,
  onPhoneNumberMetadataLoaded,
  toDialString,
  toE164,
} from './phoneNumber'

// Runs in its own module instance (vitest isolates test files): the metadata is not loaded when it starts.
describe('phone numbers before the metadata is loaded', () => {
  it('degrade to the raw input and E.164 shape, start loading on first use, then format fully', async () => {
    expect(isPhoneNumberMetadataLoaded()).toBe(false)
    let notified = 0
    const off = onPhoneNumberMetadataLoaded(() => notified++)

    expect(formatPhoneNumber('+14155550123', 'US')).toBe('+14155550123')
    expect(formatPhoneNumberAsYouType('4155550', 'US')).toEqual({
      text: '4155550',
      e164: null,
      valid: false,
      possible: false,
      country: null,
    })
    expect(formatPhoneNumberAsYouType('+14155550123')).toMatchObject({
      text: '+14155550123',
      e164: '+14155550123',
      possible: true,
    })
    expect(toE164('+1 415 555 0123', 'US')).toBe('+14155550123')
    expect(toE164('415 555 0123', 'US')).toBeNull()
    expect(toDialString('+14155550123', 'US')).toBe('+14155550123')
    expect(normalizePhoneNumber('+1 (415) 555-0123')).toBe('+14155550123')
    expect(() => normalizePhoneNumber('415 555 0123', 'US')).toThrow(
      expect.objectContaining({ reason: 'INVALID' }),
    )
    expect(() => normalizePhoneNumber('  ')).toThrow(expect.objectContaining({ reason: 'EMPTY' }))
    expect(isValidPhoneNumber('+1 415 555 0123')).toBe(true)

    await loadPhoneNumberMetadata()
    expect(isPhoneNumberMetadataLoaded()).toBe(true)
    expect(notified).toBe(1)
    off()
    expect(formatPhoneNumber('+14155550123', 'US')).toBe('(415) 555-0123')
    expect(formatPhoneNumberAsYouType('4155550', 'US').text).toBe('(415) 555-0')
    expect(toE164('415 555 0123', 'US')).toBe('+14155550123')
    expect(toDialString('+14155550123', 'US')).toBe('4155550123')
    expect(normalizePhoneNumber('415 555 0123', 'US')).toBe('+14155550123')
  })
})
