'use client'
import type { DevicesResult } from '../hooks/useDevices'
import { DeviceSelect } from './DeviceSelect'

/** Labels of {@link CallDevices}. */
export interface CallDevicesLabels {
  microphone: string
  speaker: string
  /** Told when the device in use changed by itself; `{device}` is the chosen device's name. */
  deviceNotice: Record<'fell-back' | 'restored', string>
}

/** English defaults of {@link CallDevicesLabels}. */
export const callDevicesLabels: CallDevicesLabels = {
  microphone: 'Microphone',
  speaker: 'Speaker',
  deviceNotice: {
    'fell-back': '{device} was disconnected; using the default device.',
    restored: 'Back on {device}.',
  },
}

/** Microphone and speaker pickers of a call, with a notice when an unplugged device was replaced. */
export function CallDevices({ devices, labels }: { devices: DevicesResult; labels: CallDevicesLabels }) {
  return (
    <div className="rl-call-devices">
      <DeviceSelect
        label={labels.microphone}
        devices={devices.inputs}
        value={devices.selected.audioinput}
        onChange={(value) => devices.select('audioinput', value)}
      />
      {devices.canSelectOutput !== false ? (
        <DeviceSelect
          label={labels.speaker}
          devices={devices.outputs}
          value={devices.selected.audiooutput}
          onChange={(value) => devices.select('audiooutput', value)}
        />
      ) : null}
      {devices.notice ? (
        <p className="rl-device-notice" role="status" data-state={devices.notice.type}>
          {labels.deviceNotice[devices.notice.type].replace('{device}', devices.notice.label)}
        </p>
      ) : null}
    </div>
  )
}
