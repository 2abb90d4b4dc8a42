import {
  type CountryCode,
  formatPhoneNumber,
  isPhoneNumberMetadataLoaded,
  onPhoneNumberMetadataLoaded,
} from '@ringline/core'
import { useSyncExternalStore } from 'react'

const serverSnapshot = () => false

/**
 * Formats stored numbers for display once core's phone-number metadata is loaded (subscribing starts loading it, as
 * a separate chunk) and re-renders then; until then, and on the server and while hydrating, numbers show as stored
 * (E.164), so server markup and hydration always agree.
 */
export function usePhoneNumberFormat(): (value: string, defaultCountry?: CountryCode) => string {
  const loaded = useSyncExternalStore(
    onPhoneNumberMetadataLoaded,
    isPhoneNumberMetadataLoaded,
    serverSnapshot,
  )
  return loaded ? formatPhoneNumber : asStored
}

const asStored = (value: string) => value
