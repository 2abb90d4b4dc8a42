'use client'
// The message catalogue: every visible text of the components, by component, plus a text for every stable error
// code. Components ship English defaults; a catalogue given to <RinglineProvider messages> (or
// <RinglineMessagesProvider>) replaces them, and a component's own `labels` prop wins over both.
import type { ErrorCode } from '@ringline/core/protocol'
import { createContext, type ReactNode, useContext, useMemo } from 'react'
import type { AgentPresenceLabels } from './components/AgentPresence'
import type { CallControlsLabels } from './components/CallControls'
import type { ConsultTransferLabels } from './components/ConsultTransfer'
import type { CallHistoryLabels } from './components/callHistoryLabels'
import type { DialerLabels } from './components/Dialer'
import type { EnableSoundLabels } from './components/EnableSound'
import type { IncomingCallOverlayLabels } from './components/IncomingCallOverlay'
import type { InternalCallLabels } from './components/InternalCall'
import type { LiveTranscriptLabels } from './components/LiveTranscript'
import type { ReadyCheckLabels } from './components/ReadyCheck'
import type { RecordingPlayerLabels } from './components/RecordingPlayer'
import type { VoiceConfigurationCardLabels } from './components/voiceConfigurationCardLabels'
import type { VoiceSettingsCardLabels } from './components/voiceSettingsCardLabels'
import { mergeLabels } from './internal/labels'

/** Every text of every component, one locale. `@ringline/react/locales/de` is a complete one. */
export interface RinglineMessages {
  /** BCP 47 language tag; dates and durations are formatted in it (e.g. `de-DE`). */
  locale: string
  /** Writing direction of the language. Set `dir` on your page too: the components follow the page. */
  dir: 'ltr' | 'rtl'
  /** A plain-language text for every stable error code, used where a component has none of its own. */
  errors: Record<ErrorCode, string>
  dialer: DialerLabels
  callControls: CallControlsLabels
  consultTransfer: ConsultTransferLabels
  incomingCallOverlay: IncomingCallOverlayLabels
  internalCall: InternalCallLabels
  callHistory: CallHistoryLabels
  voiceSettingsCard: VoiceSettingsCardLabels
  voiceConfigurationCard: VoiceConfigurationCardLabels
  agentPresence: AgentPresenceLabels
  liveTranscript: LiveTranscriptLabels
  recordingPlayer: RecordingPlayerLabels
  readyCheck: ReadyCheckLabels
  enableSound: EnableSoundLabels
}

/** The components' keys in {@link RinglineMessages}. */
export type RinglineMessageKey = Exclude<keyof RinglineMessages, 'locale' | 'dir' | 'errors'>

/** A catalogue that may leave texts out: they stay English (or whatever the component's default is). */
export type PartialRinglineMessages = {
  locale?: string
  dir?: 'ltr' | 'rtl'
  errors?: Partial<Record<ErrorCode, string>>
} & { [K in RinglineMessageKey]?: Partial<RinglineMessages[K]> }

/** Default English text of every error code. */
export const errorMessages: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'You are not allowed to do this.',
  ACCESS_REVOKED: 'Your access to calling was switched off. Sign in again.',
  NOT_FOUND: 'This was not found.',
  INVALID_REQUEST: 'Some details are not valid.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request could not be read.',
  INVALID_PHONE_NUMBER: 'This is not a valid phone number. Check the digits and the country code.',
  NOT_CONFIGURED: 'Phone calling is not set up yet.',
  CALL_NOT_FOUND: 'This call no longer exists.',
  CALL_ALREADY_ANSWERED: 'Someone else already answered this call.',
  CALL_NOT_ACTIVE: 'This call has already ended.',
  ROOM_NOT_FOUND: 'This room no longer exists.',
  SIP_BUSY: 'The line is busy.',
  SIP_NO_ANSWER: 'Nobody answered.',
  SIP_DECLINED: 'The call was declined.',
  SIP_FAILED: 'The phone network could not connect the call.',
  TRANSFER_FAILED: 'The call could not be transferred.',
  DESTINATION_NOT_ALLOWED: 'Calls to this destination are not allowed for your workspace.',
  CALL_LIMIT_REACHED: 'Too many calls at once. Finish a call, then try again.',
  WEBHOOK_SIGNATURE_INVALID: 'A webhook could not be verified.',
  AUTH_INVALID: 'The credentials were not accepted.',
  INSUFFICIENT_PERMISSIONS: 'These credentials may not do this.',
  NUMBER_NOT_FOUND: 'This number was not found.',
  NUMBER_IN_USE: 'This number is already in use.',
  TRUNKING_NOT_ENABLED: 'SIP trunking is not enabled on this account.',
  INVALID_SIP_TARGET: 'The SIP address cannot be reached.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a moment, then try again.',
  TOO_MANY_CONNECTIONS: 'Too many open tabs or devices. Close one, then try again.',
  LIVEKIT_UNAVAILABLE: 'The call server cannot be reached right now. Try again in a moment.',
  STORE_UNAVAILABLE: 'The server cannot save right now. Try again in a moment.',
  UPSTREAM_ERROR: 'A service the server depends on answered with an error. Try again.',
  NETWORK_ERROR: 'Could not reach the server. Check your connection and try again.',
  MICROPHONE_PERMISSION_DENIED: 'Microphone access is blocked. Allow it in the browser’s site settings.',
  MICROPHONE_NOT_FOUND: 'No microphone was found. Plug one in, then try again.',
  CONNECTION_FAILED: 'Could not connect to the call server. Check your network and try again.',
  CONNECTION_LOST: 'The connection to the call was lost and could not be restored. Check your network.',
  INTERNAL: 'Something went wrong. Try again in a moment.',
}

/** English text of an error: the default for its code, else its own message. */
export function defaultErrorText(error: ErrorLike): string {
  const known = error.code ? (errorMessages as Partial<Record<string, string>>)[error.code] : undefined
  return known ?? error.message ?? errorMessages.INTERNAL
}

const MessagesContext = createContext<PartialRinglineMessages | null>(null)

/** Gives every Ringline component below it the texts of `messages` (also a prop of `RinglineProvider`); without
 * `messages` the catalogue of an outer provider stays in force. */
export function RinglineMessagesProvider({
  messages,
  children,
}: {
  messages?: PartialRinglineMessages | undefined
  children?: ReactNode
}) {
  const outer = useContext(MessagesContext)
  return <MessagesContext.Provider value={messages ?? outer}>{children}</MessagesContext.Provider>
}

/** The catalogue of the nearest provider, or null (English). */
export function useRinglineMessages(): PartialRinglineMessages | null {
  return useContext(MessagesContext)
}

/** A component's texts: its defaults, then the catalogue's, then its own `labels` prop. Internal. */
export function useLabels<K extends RinglineMessageKey>(
  key: K,
  defaults: RinglineMessages[K],
  overrides?: object,
): RinglineMessages[K] {
  const messages = useContext(MessagesContext)
  const fromCatalogue = messages?.[key]
  return useMemo(
    () => mergeLabels(mergeLabels(defaults, fromCatalogue), overrides),
    [defaults, fromCatalogue, overrides],
  )
}

/**
 * A lazy component's texts without its defaults (they load with its body): the catalogue's, then its own `labels`
 * prop. The body puts them over the defaults with `mergeLabels`; the result equals {@link useLabels}'s. Internal.
 */
export function useLabelOverrides<K extends RinglineMessageKey>(
  key: K,
  overrides?: object,
): Partial<RinglineMessages[K]> {
  const fromCatalogue = useContext(MessagesContext)?.[key]
  return useMemo(
    () => mergeLabels<object>(fromCatalogue ?? {}, overrides) as Partial<RinglineMessages[K]>,
    [fromCatalogue, overrides],
  )
}

/** Something with a stable code and a message: a `RinglineError`, a call's `error`, a server error body. */
export interface ErrorLike {
  code?: string | undefined
  message?: string | undefined
}

/**
 * Turns an error into text for people: the component's own text for its code, else the catalogue's, else the
 * English default for the code; only an error without a known code shows its own message (or `fallback`).
 */
export function useErrorText(): (
  error: ErrorLike | null | undefined,
  own?: Partial<Record<string, string>>,
  fallback?: string,
) => string {
  const messages = useContext(MessagesContext)
  return useMemo(() => {
    const catalogue = messages?.errors as Partial<Record<string, string>> | undefined
    const defaults = errorMessages as Partial<Record<string, string>>
    return (error, own, fallback) => {
      const code = error?.code
      const known = code ? (own?.[code] ?? catalogue?.[code] ?? defaults[code]) : undefined
      return known ?? error?.message ?? fallback ?? defaults.INTERNAL!
    }
  }, [messages])
}
