'use client'
import type { CallClientState } from '../types'
import { type ClientHookOptions, useClientState } from './useClientState'

/** The whole client snapshot (re-renders on every change). */
export function useCallClientState(options: ClientHookOptions = {}): CallClientState {
  return useClientState(identity, options.client)
}

const identity = (state: CallClientState) => state
