import { createHash } from 'node:crypto'

/** Whether two lists hold the same strings (numbers, addresses), in any order. */
export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const x = [...a].sort()
  const y = [...b].sort()
  return x.every((v, i) => v === y[i])
}

/**
 * A short, non-reversible fingerprint of SIP digest credentials, kept in a trunk's metadata to tell whether the
 * trunk already has them (LiveKit never returns passwords). `scope` keeps inbound and outbound ones apart.
 */
export function credentialFingerprint(
  scope: 'inbound' | 'outbound',
  username: string,
  password: string,
): string {
  return createHash('sha256').update(`ringline-${scope}\0${username}\0${password}`).digest('hex').slice(0, 16)
}
