import { type ApiClientOptions, createApiClient, RinglineError } from '@ringline/core'
import type { RinglineApi } from './types'

/** An error from the Ringline server, carrying its stable `code` (core's `RinglineError`). */
export const RinglineApiError = RinglineError
/** An error from the Ringline server, carrying its stable `code` (core's `RinglineError`). */
export type RinglineApiError = RinglineError

/** Options of {@link createRinglineApi}. */
export type RinglineApiOptions = ApiClientOptions

/**
 * The HTTP operations used by `useCallHistory` and `useTwilioOnboarding`, from a base URL: core's API client
 * (React keeps no fetch logic of its own).
 */
export function createRinglineApi(options: RinglineApiOptions): RinglineApi {
  return createApiClient(options)
}
