'use client'

/** "You're muted" while the muted microphone hears speech; an always-present live region so it is announced. */
export function MutedSpeechNotice({ speaking, text }: { speaking: boolean; text: string }) {
  return (
    <p className="rl-muted-speech" aria-live="polite" data-active={speaking ? '' : undefined}>
      {speaking ? text : null}
    </p>
  )
}
