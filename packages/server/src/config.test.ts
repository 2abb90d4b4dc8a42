import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveConfig } from './config'

const base = { authorize: async () => null }

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('resolveConfig: environment fallbacks', () => {
  it('RINGLINE_RECONCILE_INTERVAL_SECONDS sets the reconcile interval; the option wins; junk falls back to 60 s', () => {
    expect(resolveConfig(base).reconcileIntervalSeconds).toBe(60)
    vi.stubEnv('RINGLINE_RECONCILE_INTERVAL_SECONDS', '5')
    expect(resolveConfig(base).reconcileIntervalSeconds).toBe(5)
    vi.stubEnv('RINGLINE_RECONCILE_INTERVAL_SECONDS', '0')
    expect(resolveConfig(base).reconcileIntervalSeconds).toBe(0)
    expect(resolveConfig({ ...base, reconcileIntervalSeconds: 30 }).reconcileIntervalSeconds).toBe(30)
    vi.stubEnv('RINGLINE_RECONCILE_INTERVAL_SECONDS', 'soon')
    expect(resolveConfig(base).reconcileIntervalSeconds).toBe(60)
    vi.stubEnv('RINGLINE_RECONCILE_INTERVAL_SECONDS', '-3')
    expect(resolveConfig(base).reconcileIntervalSeconds).toBe(0)
    // Blank is unset (a `.env` line `RINGLINE_RECONCILE_INTERVAL_SECONDS=`), not 0 (which turns reconcile off).
    vi.stubEnv('RINGLINE_RECONCILE_INTERVAL_SECONDS', ' ')
    expect(resolveConfig(base).reconcileIntervalSeconds).toBe(60)
  })

  it('RINGLINE_TOKEN_TTL sets the token TTL, clamped to 60 s..24 h', () => {
    vi.stubEnv('RINGLINE_TOKEN_TTL', '120')
    expect(resolveConfig(base).tokenTtl).toBe(120)
    vi.stubEnv('RINGLINE_TOKEN_TTL', '5')
    expect(resolveConfig(base).tokenTtl).toBe(60)
    vi.stubEnv('RINGLINE_TOKEN_TTL', '')
    expect(resolveConfig(base).tokenTtl).toBe(3600)
    vi.stubEnv('RINGLINE_TOKEN_TTL', 'an hour')
    expect(resolveConfig(base).tokenTtl).toBe(3600)
    expect(resolveConfig({ ...base, tokenTtl: 600 }).tokenTtl).toBe(600)
  })
})
