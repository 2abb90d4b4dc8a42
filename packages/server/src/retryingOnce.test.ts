import { describe, expect, it } from 'vitest'
import { retryingOnce } from './retryingOnce'

describe('retryingOnce', () => {
  it('shares one start-up, forgets a failure so the next call retries, and can be reset', async () => {
    let calls = 0
    const start = retryingOnce(async () => {
      calls += 1
      if (calls === 1) throw new Error('first fails')
      return calls
    })
    await expect(start()).rejects.toThrow('first fails')
    expect(start.peek()).toBeUndefined()
    const [a, b] = await Promise.all([start(), start()])
    expect([a, b, calls]).toEqual([2, 2, 2])
    start.reset()
    expect(await start()).toBe(3)
  })
})
