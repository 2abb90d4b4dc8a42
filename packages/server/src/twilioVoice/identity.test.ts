import { describe, expect, it } from 'vitest'
import { escapeIdentity, parseTwilioClientIdentity, twilioClientIdentity, unescapeIdentity } from './identity'

describe('Twilio client identities', () => {
  it('uses only [A-Za-z0-9_] and round-trips tenant and user', () => {
    for (const [tenant, user] of [
      ['acme', 'alice'],
      ['acme_eu-1', 'user_42'],
      ['t', 'ünïcødé 🚀 name@example.com'],
      ['a-b', '_:_'],
    ] as const) {
      const id = twilioClientIdentity(tenant, user)
      expect(id).toMatch(/^[A-Za-z0-9_]{1,121}$/)
      expect(parseTwilioClientIdentity(id)).toEqual({ tenantId: tenant, userId: user })
      expect(parseTwilioClientIdentity(`client:${id}`)).toEqual({ tenantId: tenant, userId: user })
    }
  })

  it('is injective where naive escaping is not (`_` is escaped too)', () => {
    expect(escapeIdentity('a_3A')).not.toBe(escapeIdentity('a:'))
    expect(twilioClientIdentity('ab', 'c')).not.toBe(twilioClientIdentity('a', 'b:c'))
  })

  it('rejects text it could not have produced and identities over 121 characters', () => {
    expect(unescapeIdentity('a_zz')).toBeNull()
    expect(unescapeIdentity('a_4')).toBeNull()
    expect(unescapeIdentity('a b')).toBeNull()
    expect(unescapeIdentity('_FF')).toBeNull()
    expect(parseTwilioClientIdentity('alice')).toBeNull()
    expect(() => twilioClientIdentity('acme', 'x'.repeat(120))).toThrow(/max 121/)
  })
})
