import * as core from '@ringline/core'
import type { CallClientLike } from '../types'

/** Options the provider passes to core's `createCallClient` when it is given only a `baseUrl`. */
export interface DefaultClientOptions {
  baseUrl: string
  fetch?: typeof fetch
}

// Reads `createCallClient` off the namespace so this package still builds while core is being written.
export function createDefaultClient(options: DefaultClientOptions): CallClientLike {
  const create = (core as Record<string, unknown>).createCallClient as
    | ((options: DefaultClientOptions) => CallClientLike)
    | undefined
  if (typeof create !== 'function') {
    throw new Error(
      'RinglineProvider: this version of @ringline/core has no createCallClient(); pass a `client` prop instead of `baseUrl`.',
    )
  }
  return create(options)
}
