import { useMemo } from 'react'

/** Merges label overrides over defaults, one level deep (nested records such as `endReasons` merge too). */
export function mergeLabels<T extends object>(defaults: T, overrides?: object): T {
  if (!overrides) return defaults
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue
    const base = (defaults as Record<string, unknown>)[key]
    out[key] =
      base && typeof base === 'object' && value && typeof value === 'object' ? { ...base, ...value } : value
  }
  return out as T
}

/** A lazy body's texts: its defaults under the overrides its shell merged (`useLabelOverrides`). Internal. */
export function useDefaultLabels<T extends object>(defaults: T, overrides: Partial<T>): T {
  return useMemo(() => mergeLabels(defaults, overrides), [defaults, overrides])
}
