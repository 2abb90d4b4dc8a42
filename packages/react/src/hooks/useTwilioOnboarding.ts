'use client'
import { INITIAL_ONBOARDING, TwilioOnboardingObserver, type TwilioOnboardingState } from '@ringline/core'
import type {
  ConnectNumberRequest,
  NumberConnection,
  TwilioCredentialsRequest,
} from '@ringline/core/protocol'
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { useRinglineApi } from '../RinglineProvider'
import type { CallClientLike, RinglineApi } from '../types'

/** Options of {@link useTwilioOnboarding}. */
export interface UseTwilioOnboardingOptions {
  client?: CallClientLike
  /** HTTP operations to use instead of the provider's. */
  api?: RinglineApi
  /** Find out on mount whether credentials are stored. Default true. */
  autoLoad?: boolean
}

/** What {@link useTwilioOnboarding} returns: the snapshot plus the operations. */
export interface TwilioOnboardingResult extends TwilioOnboardingState {
  load(): Promise<void>
  verify(credentials: TwilioCredentialsRequest): Promise<boolean>
  save(credentials: TwilioCredentialsRequest): Promise<boolean>
  removeCredentials(): Promise<boolean>
  listNumbers(): Promise<void>
  connect(sid: string, options?: ConnectNumberRequest): Promise<unknown>
  disconnect(sid: string): Promise<boolean>
  refreshStatus(sid: string): Promise<void>
  /** Reads a number's status quietly: no busy state, no error banner (failures land in `statusProblems`), deduplicated. */
  readStatus(sid: string, signal?: AbortSignal): Promise<NumberConnection | null>
  dismissError(): void
}

/** Bring-your-own-Twilio-number: verify, save, list numbers, connect with progress, disconnect. */
export function useTwilioOnboarding(options: UseTwilioOnboardingOptions = {}): TwilioOnboardingResult {
  const api = useRinglineApi(options.client, options.api)
  const [store] = useState(() => new TwilioOnboardingObserver(api))
  store.setApi(api)
  const autoLoad = options.autoLoad ?? true
  useEffect(() => {
    if (autoLoad) void store.load()
  }, [store, autoLoad])
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, () => INITIAL_ONBOARDING)
  return useMemo(
    () => ({
      ...state,
      load: () => store.load(),
      verify: (c: TwilioCredentialsRequest) => store.verify(c),
      save: (c: TwilioCredentialsRequest) => store.save(c),
      removeCredentials: () => store.removeCredentials(),
      listNumbers: () => store.listNumbers(),
      connect: (sid: string, body?: ConnectNumberRequest) => store.connect(sid, body),
      disconnect: (sid: string) => store.disconnect(sid),
      refreshStatus: (sid: string) => store.refreshStatus(sid),
      readStatus: (sid: string, signal?: AbortSignal) => store.readStatus(sid, signal),
      dismissError: () => store.dismissError(),
    }),
    [state, store],
  )
}

export type { TwilioOnboardingState }
