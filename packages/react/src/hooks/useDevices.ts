'use client'
import { useMemo } from 'react'
import { useRingline } from '../RinglineProvider'
import type { AudioDevice, AudioDeviceKind, CallClientState } from '../types'
import { type ClientHookOptions, useClientState } from './useClientState'

/** What {@link useDevices} returns. */
export interface DevicesResult {
  inputs: readonly AudioDevice[]
  outputs: readonly AudioDevice[]
  selected: { audioinput: string | null; audiooutput: string | null }
  /** False where the browser cannot route audio to a chosen output. */
  canSelectOutput: boolean
  /** Microphone permission. */
  permission: CallClientState['permission']
  /** The last automatic device change (unplugged → default, plugged back in), to tell the user; null after a choice. */
  notice: CallClientState['devices']['notice']
  select(kind: AudioDeviceKind, deviceId: string): unknown
  requestPermission(): unknown
}

const selectDevices = (state: CallClientState) => state.devices
const selectPermission = (state: CallClientState) => state.permission

/** Microphones and speakers, the selection, and microphone permission. */
export function useDevices(options: ClientHookOptions = {}): DevicesResult {
  const client = useRingline(options.client)
  const devices = useClientState(selectDevices, client)
  const permission = useClientState(selectPermission, client)
  return useMemo(
    () => ({
      inputs: devices.audioinput,
      outputs: devices.audiooutput,
      selected: devices.selected,
      canSelectOutput: devices.canSelectOutput ?? true,
      permission,
      notice: devices.notice ?? null,
      select: (kind: AudioDeviceKind, deviceId: string) => client.devices.select(kind, deviceId),
      requestPermission: () => client.devices.requestPermission?.(),
    }),
    [devices, permission, client],
  )
}
