import { RinglineError } from './ringlineError'

/** A DTMF digit: 0–9, `*`, `#`, A–D. */
export type DtmfDigit =
  | '0'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '*'
  | '#'
  | 'A'
  | 'B'
  | 'C'
  | 'D'

/** The code LiveKit's `publishDtmf(code, digit)` expects for each digit (RFC 4733 event codes). */
export const DTMF_CODES: Readonly<Record<DtmfDigit, number>> = {
  '0': 0,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 7,
  '8': 8,
  '9': 9,
  '*': 10,
  '#': 11,
  A: 12,
  B: 13,
  C: 14,
  D: 15,
}

/** Split a string of DTMF digits into valid digits (lowercase a–d accepted), or throw `INVALID_REQUEST` naming the bad character. */
export function parseDtmfDigits(input: string): DtmfDigit[] {
  const out: DtmfDigit[] = []
  for (const raw of input) {
    const ch = raw.toUpperCase()
    if (ch === ' ' || ch === '-') continue
    if (!(ch in DTMF_CODES)) {
      throw new RinglineError('INVALID_REQUEST', `"${raw}" is not a DTMF digit: use 0-9, *, # or A-D.`, {
        field: 'digits',
      })
    }
    out.push(ch as DtmfDigit)
  }
  if (out.length === 0)
    throw new RinglineError('INVALID_REQUEST', 'No DTMF digits to send.', { field: 'digits' })
  return out
}

/** The digit for a DTMF event code, or null if the code is not 0–15. */
export function dtmfDigitFromCode(code: number): DtmfDigit | null {
  for (const [digit, c] of Object.entries(DTMF_CODES)) if (c === code) return digit as DtmfDigit
  return null
}
