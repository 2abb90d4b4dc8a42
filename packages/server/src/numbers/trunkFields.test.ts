import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { credentialFingerprint, sameMembers } from './trunkFields'

describe('trunk fields', () => {
  it('compares lists as sets of members, in any order', () => {
    expect(sameMembers(['+1', '+2'], ['+2', '+1'])).toBe(true)
    expect(sameMembers(['+1', '+1'], ['+1', '+2'])).toBe(false)
    expect(sameMembers(['+1'], ['+1', '+2'])).toBe(false)
  })

  it('fingerprints credentials exactly as trunks provisioned before stored them (no needless trunk update)', () => {
    const before = (scope: string) =>
      createHash('sha256').update(`ringline-${scope}\0u\0p`).digest('hex').slice(0, 16)
    expect(credentialFingerprint('inbound', 'u', 'p')).toBe(before('inbound'))
    expect(credentialFingerprint('outbound', 'u', 'p')).toBe(before('outbound'))
    expect(credentialFingerprint('inbound', 'u', 'p')).not.toBe(credentialFingerprint('outbound', 'u', 'p'))
  })
})
