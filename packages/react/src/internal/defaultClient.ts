import { createCallClient } from '@ringline/core'
import type { CallClientLike } from '../types'

/** Options the provider passes to core's `createCallClient` when it is given only a `baseUrl`. */
export interface DefaultClientOptions {
  baseUrl: string
  fetch?: typeof fetch
}

/** Core's call client; typed as the React contract, which also checks at compile time that core still fits it. */
export function createDefaultClient(options: DefaultClientOptions): CallClientLike {
  return createCallClient(options)
}
