'use client'
import { useId } from 'react'
import { cx } from '../internal/cx'

/** Props of {@link DeviceSelect}. */
export interface DeviceSelectProps {
  label: string
  devices: readonly { deviceId: string; label: string }[]
  value: string | null
  onChange: (deviceId: string) => void
  className?: string
}

/** A labelled native select of audio devices. */
export function DeviceSelect({ label, devices, value, onChange, className }: DeviceSelectProps) {
  const id = useId()
  return (
    <div className={cx('rl-device-select', className)}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className="rl-select"
        value={value ?? ''}
        disabled={devices.length === 0}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        {devices.length === 0 ? <option value="">—</option> : null}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  )
}
