import { ReadyCheck } from '@ringline/react'

/** Ready check: microphone access and signal, sound, and the call server, before the first call. */
export default function ReadyPage() {
  return <ReadyCheck />
}
