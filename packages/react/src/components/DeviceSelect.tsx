'use client'
import { useId } from 'react'
import { useDevices } from '../hooks/useDevices'
import { cx } from '../internal/cx'
import type { AudioDeviceKind, CallClientLike } from '../types'

/**
 * Props of {@link DeviceSelect}: either bound to the client by `kind` (its devices, its selection, remembered), or
 * given `devices`, `value` and `onChange` to use it as a plain select.
 */
export interface DeviceSelectProps {
  /** The visible label; default "Microphone" / "Speaker" by `kind`. */
  label?: string
  /** Bind to the client's devices of this kind (selection goes to `client.devices.select`). */
  kind?: AudioDeviceKind
  /** Use this client instead of the provider's (with `kind`). */
  client?: CallClientLike
  /** The devices to offer (without `kind`). */
  devices?: readonly { deviceId: string; label: string }[]
  /** The selected `deviceId`; null: the system default. */
  value?: string | null
  onChange?: (deviceId: string) => void
  className?: string
}

const DEFAULT_LABEL: Record<AudioDeviceKind, string> = { audioinput: 'Microphone', audiooutput: 'Speaker' }

/** A labelled native select of audio devices; with `kind` it picks the client's microphone or speaker on its own. */
export function DeviceSelect(props: DeviceSelectProps) {
  if (props.kind && props.devices === undefined) return <BoundDeviceSelect {...props} kind={props.kind} />
  return <PlainDeviceSelect {...props} />
}

function BoundDeviceSelect({
  kind,
  client,
  label,
  className,
}: DeviceSelectProps & { kind: AudioDeviceKind }) {
  const devices = useDevices(client ? { client } : {})
  return (
    <PlainDeviceSelect
      kind={kind}
      label={label}
      className={className}
      devices={kind === 'audioinput' ? devices.inputs : devices.outputs}
      value={devices.selected[kind]}
      onChange={(id) => devices.select(kind, id)}
      disabled={kind === 'audiooutput' && !devices.canSelectOutput}
    />
  )
}

function PlainDeviceSelect({
  label,
  kind,
  devices = [],
  value = null,
  onChange,
  className,
  disabled = false,
}: DeviceSelectProps & { disabled?: boolean }) {
  const id = useId()
  const text = label ?? DEFAULT_LABEL[kind ?? 'audioinput']
  return (
    <div
      className={cx('rl-device-select', className)}
      data-state={devices.length === 0 ? 'empty' : 'ready'}
      data-kind={kind}
    >
      <label htmlFor={id}>{text}</label>
      <select
        id={id}
        className="rl-select"
        value={value ?? ''}
        disabled={disabled || devices.length === 0}
        onChange={(e) => onChange?.(e.currentTarget.value)}
      >
        {devices.length === 0 ? <option value="">—</option> : null}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${text} ${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  )
}
