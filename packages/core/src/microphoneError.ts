import { RinglineError } from './ringlineError'
import type { MicrophonePermission } from './types'

/** Whether the page's Permissions Policy forbids the microphone (`false` only when the browser says so). */
export function microphoneAllowedByPolicy(
  doc: unknown = (globalThis as { document?: unknown }).document,
): boolean {
  const d = doc as {
    permissionsPolicy?: { allowsFeature(f: string): boolean }
    featurePolicy?: { allowsFeature(f: string): boolean }
  } | null
  const policy = d?.permissionsPolicy ?? d?.featurePolicy
  try {
    return policy ? policy.allowsFeature('microphone') : true
  } catch {
    return true
  }
}

/**
 * The microphone state a failed `getUserMedia` means (the browser error, or a RinglineError caused by one);
 * null when the failure says nothing about the microphone.
 */
export function microphoneStateOf(
  error: unknown,
  allowedByPolicy = microphoneAllowedByPolicy(),
): MicrophonePermission | null {
  const raw = error instanceof RinglineError ? error.cause : error
  const name = (raw as { name?: string } | null)?.name
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError')
    return allowedByPolicy ? 'denied' : 'blocked-by-policy'
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError')
    return 'no-device'
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'in-use'
  if (error instanceof RinglineError && error.code === 'MICROPHONE_PERMISSION_DENIED') return 'denied'
  return null
}

/** Turn a browser media error into a Ringline error with a stable code. */
export function microphoneError(error: unknown): RinglineError {
  const name = (error as { name?: string } | null)?.name
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new RinglineError(
      'MICROPHONE_PERMISSION_DENIED',
      'Microphone access is blocked. Allow it in the browser’s site settings, then try again.',
      { cause: error },
    )
  }
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') {
    return new RinglineError('MICROPHONE_NOT_FOUND', 'No microphone was found. Connect one and try again.', {
      cause: error,
    })
  }
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') {
    return new RinglineError(
      'MICROPHONE_NOT_FOUND',
      'The microphone is in use by another app or cannot be read.',
      {
        cause: error,
      },
    )
  }
  return new RinglineError('CONNECTION_FAILED', 'Could not start the microphone.', { cause: error })
}
