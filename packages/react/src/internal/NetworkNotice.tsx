'use client'
import type { NetworkSide, NetworkWarningName } from '@ringline/core'
import type { Call } from '../types'

/** Texts of the network warnings, per warning and side (`local`: this browser, `remote`: the other side). */
export type NetworkWarningLabels = Record<NetworkWarningName, Record<NetworkSide, string>>

/**
 * The active call's network warnings as text in a status region (announced politely, readable without colour);
 * the region stays mounted so a new warning is announced.
 */
export function NetworkNotice({
  call,
  labels,
}: {
  call: Call | null
  labels: Partial<NetworkWarningLabels>
}) {
  const warnings = call?.networkWarnings ?? []
  return (
    // role=status while it says something; aria-live always, so the first warning is announced too.
    <div
      className="rl-network-warnings"
      role={warnings.length > 0 ? 'status' : undefined}
      aria-live="polite"
      data-active={warnings.length > 0 ? '' : undefined}
    >
      {warnings.map((w) => (
        <p key={w.name} className="rl-network-warning" data-warning={w.name} data-side={w.side}>
          {labels[w.name]?.[w.side] ?? w.text}
        </p>
      ))}
    </div>
  )
}
