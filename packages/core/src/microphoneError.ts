import { RinglineError } from './ringlineError'

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
  if (name === 'NotReadableError') {
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
