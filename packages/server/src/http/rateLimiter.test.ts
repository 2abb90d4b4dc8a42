import { describe, expect, it } from 'vitest'
import { isHttpError } from './errors'
import { RateLimiter } from './rateLimiter'

describe('RateLimiter', () => {
  it('counts hits per key in a fixed window and says how long to wait past the limit', () => {
    let now = 1_000_000
    const limiter = new RateLimiter(() => now)
    expect([1, 2, 3].map(() => limiter.hit('a', 2, 60_000))).toEqual([0, 0, 60])
    expect(limiter.hit('b', 2, 60_000)).toBe(0)
    now += 45_500
    expect(limiter.hit('a', 2, 60_000)).toBe(15)
    now += 14_500
    expect(limiter.hit('a', 2, 60_000)).toBe(0)
  })

  it('take() throws 429 RATE_LIMITED with Retry-After and a message naming what was counted', () => {
    const now = 0
    const limiter = new RateLimiter(() => now)
    limiter.take('k', 1, 10_000, 'widgets')
    let thrown: unknown
    try {
      limiter.take('k', 1, 10_000, 'widgets')
    } catch (error) {
      thrown = error
    }
    expect(isHttpError(thrown)).toBe(true)
    const error = thrown as {
      code: string
      status: number
      message: string
      headers?: Record<string, string>
    }
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many widgets; retry in 10 s.' })
    expect(error.status).toBe(429)
    expect(error.headers).toEqual({ 'retry-after': '10' })
  })
})
