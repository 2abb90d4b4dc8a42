'use client'
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react'
import { createDefaultClient } from './internal/defaultClient'
import { type PartialRinglineMessages, RinglineMessagesProvider } from './messages'
import { createRinglineApi } from './ringlineApi'
import type { CallClientLike, RinglineApi } from './types'

interface RinglineContextValue {
  client: CallClientLike
  api: RinglineApi
}

const RinglineContext = createContext<RinglineContextValue | null>(null)

/** Props of {@link RinglineProvider}: give it a `client`, or a `baseUrl` and it creates (and destroys) one. */
export type RinglineProviderProps = {
  children?: ReactNode
  /** Fetch used for the HTTP routes (history, onboarding) and by a client created from `baseUrl`. */
  fetch?: typeof fetch
  /** HTTP operations; defaults to `client.api`, else built from `baseUrl`. */
  api?: RinglineApi
  /** Texts of every component below, e.g. `de` from `@ringline/react/locales/de`; English by default. */
  messages?: PartialRinglineMessages
} & (
  | { client: CallClientLike; baseUrl?: string }
  | {
      client?: undefined /** Where the Ringline server routes are mounted, e.g. `/api/ringline`. */
      baseUrl: string
    }
)

/** Makes a call client available to every Ringline hook and component below it. */
export function RinglineProvider(props: RinglineProviderProps) {
  const { children, fetch: fetchImpl } = props
  const baseUrl = props.baseUrl ?? props.client?.baseUrl ?? '/api/ringline'
  // A client we created is ours to destroy; one passed in belongs to the caller.
  const [owned] = useState(() =>
    props.client ? null : createDefaultClient({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
  )
  const client = props.client ?? owned!
  const api = useMemo(
    () =>
      props.api ?? client.api ?? createRinglineApi({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
    [props.api, client, baseUrl, fetchImpl],
  )
  const pendingDestroy = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    if (!owned) return
    // StrictMode unmounts and remounts at once: destroy only if no remount follows.
    if (pendingDestroy.current) clearTimeout(pendingDestroy.current)
    return () => {
      pendingDestroy.current = setTimeout(() => owned.destroy(), 0)
    }
  }, [owned])
  const value = useMemo(() => ({ client, api }), [client, api])
  return (
    <RinglineMessagesProvider messages={props.messages}>
      <RinglineContext.Provider value={value}>{children}</RinglineContext.Provider>
    </RinglineMessagesProvider>
  )
}

const MISSING_PROVIDER =
  'No Ringline client found. Wrap your app in <RinglineProvider baseUrl="/api/ringline"> (or <RinglineProvider client={client}>), or pass `client` to the hook, e.g. useActiveCall({ client }).'

/** The call client of the nearest `RinglineProvider`; throws a helpful error outside one. */
export function useRingline(client?: CallClientLike): CallClientLike {
  const context = useContext(RinglineContext)
  const resolved = client ?? context?.client
  if (!resolved) throw new Error(MISSING_PROVIDER)
  return resolved
}

/** The client if there is one (explicit or from a provider), else null. Internal. */
export function useOptionalRingline(client?: CallClientLike): CallClientLike | null {
  const context = useContext(RinglineContext)
  return client ?? context?.client ?? null
}

/** The HTTP operations: `api` if given, else the client's, else the provider's, else built from `client.baseUrl`. */
export function useRinglineApi(client?: CallClientLike, api?: RinglineApi): RinglineApi {
  const context = useContext(RinglineContext)
  const built = useMemo(
    () =>
      !api && client && !client.api && context?.client !== client
        ? createRinglineApi({ baseUrl: client.baseUrl ?? '/api/ringline' })
        : null,
    [api, client, context],
  )
  const resolved = api ?? client?.api ?? built ?? context?.api
  if (!resolved) throw new Error(MISSING_PROVIDER)
  return resolved
}
