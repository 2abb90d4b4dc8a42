import { normalizeTwilioError, type TwilioOnboardingError } from './twilioErrors'

/** Retry policy for Twilio calls: 429 honours Retry-After, 5xx and network errors back off exponentially. */
export interface RetryOptions {
  /** Attempts per step, first included (default 5). */
  maxAttempts?: number
  /** First backoff in ms (default 250), doubled each attempt with full jitter. */
  baseDelayMs?: number
  /** Cap of one backoff in ms (default 8 000). */
  maxDelayMs?: number
  /** Longest Retry-After we wait for inside a request before giving up with RATE_LIMITED (default 30 000). */
  maxRetryAfterMs?: number
  /** Injectable sleep (tests record delays instead of waiting). */
  sleep?: (ms: number) => Promise<void>
  /** Injectable randomness for jitter, in [0, 1). */
  random?: () => number
}

/** Called before each retry (for logs; carries no secrets). */
export type RetryListener = (info: { attempt: number; delayMs: number; error: TwilioOnboardingError }) => void

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Run `fn`, retrying retryable Twilio failures; throws the normalized error of the last attempt. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  context: { requestId: string; step?: string },
  options: RetryOptions = {},
  onRetry?: RetryListener,
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5)
  const base = options.baseDelayMs ?? 250
  const cap = options.maxDelayMs ?? 8_000
  const maxRetryAfter = options.maxRetryAfterMs ?? 30_000
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (raw) {
      const error = normalizeTwilioError(raw, context)
      if (!error.retryable || attempt >= maxAttempts) throw error
      let delayMs: number
      if (error.code === 'RATE_LIMITED' && error.retryAfterMs !== undefined) {
        if (error.retryAfterMs > maxRetryAfter) throw error
        delayMs = error.retryAfterMs
      } else {
        delayMs = Math.round(random() * Math.min(cap, base * 2 ** (attempt - 1)))
      }
      onRetry?.({ attempt, delayMs, error })
      await sleep(delayMs)
    }
  }
}
