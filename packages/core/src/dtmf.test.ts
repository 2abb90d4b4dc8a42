import { describe, expect, it } from 'vitest'
import { DTMF_CODES, dtmfDigitFromCode, parseDtmfDigits } from './dtmf'

describe('DTMF', () => {
  it('maps digits to LiveKit publishDtmf codes: 0–9, * = 10, # = 11, A–D = 12–15', () => {
    expect(Object.entries(DTMF_CODES)).toEqual([
      ['0', 0],
      ['1', 1],
      ['2', 2],
      ['3', 3],
      ['4', 4],
      ['5', 5],
      ['6', 6],
      ['7', 7],
      ['8', 8],
      ['9', 9],
      ['*', 10],
      ['#', 11],
      ['A', 12],
      ['B', 13],
      ['C', 14],
      ['D', 15],
    ])
    for (const [digit, code] of Object.entries(DTMF_CODES)) expect(dtmfDigitFromCode(code)).toBe(digit)
    expect(dtmfDigitFromCode(16)).toBeNull()
  })

  it('parses digit strings, accepting lowercase and separators', () => {
    expect(parseDtmfDigits('12 3-*#ab')).toEqual(['1', '2', '3', '*', '#', 'A', 'B'])
    expect(() => parseDtmfDigits('1e')).toThrow(/"e" is not a DTMF digit/)
    expect(() => parseDtmfDigits('')).toThrow(/No DTMF digits/)
  })
})
