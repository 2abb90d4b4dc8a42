import type { Room as RtcRoom, TextStreamReader } from '@livekit/rtc-node'
import {
  TRANSCRIPTION_ATTRIBUTES,
  TRANSCRIPTION_TOPIC,
  type TranscriptSegment,
} from '@ringline/core/protocol'
import { AccessToken } from 'livekit-server-sdk'
import { HttpError } from '../http/errors'
import type { Logger } from '../types'
import type { TranscriptStore } from './sqlTranscriptStore'
import { type SpeakerInfo, segmentFromTextStream, speakerKindOf } from './transcriptSegments'

type RtcModule = typeof import('@livekit/rtc-node')

// A variable specifier keeps bundlers from inlining the native module: it stays an optional peer dependency.
const RTC_NODE = '@livekit/rtc-node'

/** Loads `@livekit/rtc-node` on first use, with an error that says how to get it. */
export async function loadRtcNode(): Promise<RtcModule> {
  try {
    return (await import(/* @vite-ignore */ RTC_NODE)) as RtcModule
  } catch (error) {
    throw new HttpError(
      'NOT_CONFIGURED',
      'Storing transcripts needs the optional peer dependency @livekit/rtc-node: install it next to @ringline/server.',
      { cause: error },
    )
  }
}

/** Options of `startTranscriptCollector`. */
export interface TranscriptCollectorOptions {
  livekit: { url: string; apiKey: string; apiSecret: string }
  callId: string
  roomName: string
  store: TranscriptStore
  /** Identity of the hidden participant (default `ringline-transcripts`). */
  identity?: string
  /** Every segment as it arrives, interim ones included (for live fan-out). */
  onSegment?: (segment: TranscriptSegment) => void
  /** Called once the collector left the room (room ended, removed, or `stop`). */
  onClosed?: () => void
  logger?: Logger
  /** Module loader (tests). */
  rtc?: () => Promise<RtcModule>
}

/** A hidden participant writing a call's transcription into the store. */
export interface TranscriptCollector {
  identity: string
  /** Leaves the room after the segments being written are stored. */
  stop(): Promise<void>
  /** Resolves when the collector has left the room. */
  closed: Promise<void>
  /** Resolves when every segment received so far is stored. */
  flushed(): Promise<void>
}

/**
 * Joins the call's room as a hidden participant (no publish, no media subscription) and stores the final
 * `lk.transcription` text-stream segments, attributed to the owner of `lk.transcribed_track_id`, de-duplicated by
 * `lk.segment_id`. Legacy `TranscriptionReceived` packets are not surfaced by `@livekit/rtc-node` 1.x; agents built on
 * LiveKit Agents ≥ 1.0 publish text streams.
 */
export async function startTranscriptCollector(
  options: TranscriptCollectorOptions,
): Promise<TranscriptCollector> {
  const rtc = await (options.rtc ?? loadRtcNode)()
  const identity = options.identity ?? 'ringline-transcripts'
  const token = new AccessToken(options.livekit.apiKey, options.livekit.apiSecret, {
    identity,
    name: 'Ringline transcripts',
    ttl: '12h',
  })
  // Data packets (text streams) reach every participant that may subscribe; hidden keeps it out of participant lists.
  token.addGrant({
    roomJoin: true,
    room: options.roomName,
    hidden: true,
    canPublish: false,
    canPublishData: false,
    canSubscribe: true,
    canUpdateOwnMetadata: false,
  })
  const room: RtcRoom = new rtc.Room()
  let writes: Promise<unknown> = Promise.resolve()
  let resolveClosed!: () => void
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  let isClosed = false
  const close = () => {
    if (isClosed) return
    isClosed = true
    resolveClosed()
    options.onClosed?.()
  }

  function speakerFor(senderIdentity: string, trackId: string | undefined): SpeakerInfo {
    const participants = [...room.remoteParticipants.values()]
    const owner = trackId ? participants.find((p) => p.trackPublications.has(trackId)) : undefined
    const p = owner ?? room.remoteParticipants.get(senderIdentity)
    if (!p) return { identity: senderIdentity, name: null, kind: 'other' }
    return { identity: p.identity, name: p.name || null, kind: speakerKindOf(p.kind) }
  }

  // A participant who speaks right after joining can be heard before its join reaches us: wait for it (on a
  // loaded machine the join can lag by seconds; 2 s proved too short in CI).
  async function knownSender(identity: string): Promise<void> {
    for (let waited = 0; waited < 10_000 && !room.remoteParticipants.has(identity); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async function receive(reader: TextStreamReader, sender: string): Promise<void> {
    const info = reader.info
    const trackId = info.attributes?.[TRANSCRIPTION_ATTRIBUTES.trackId]
    await knownSender(sender)
    // Resolve the speaker when the stream opens: the track may be gone once it is read to the end.
    const speaker = speakerFor(sender, trackId)
    const text = await reader.readAll()
    const segment = segmentFromTextStream(info, text, speaker)
    if (!segment) return
    options.onSegment?.(segment)
    if (!segment.final) return
    // Serialise writes so the store sees segments in arrival order.
    writes = writes.then(() =>
      options.store.appendSegments(options.callId, [segment]).catch((error: unknown) => {
        options.logger?.error('transcripts: could not store a segment', { callId: options.callId, error })
      }),
    )
    await writes
  }

  room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, participant) => {
    receive(reader, participant.identity).catch((error: unknown) => {
      options.logger?.warn('transcripts: could not read a transcription stream', {
        callId: options.callId,
        error,
      })
    })
  })
  room.on(rtc.RoomEvent.Disconnected, close)
  const wsUrl = options.livekit.url.replace(/^http(s?):\/\//, 'ws$1://')
  await room.connect(wsUrl, await token.toJwt(), { autoSubscribe: false, dynacast: false })

  return {
    identity,
    closed,
    flushed: () => writes.then(() => {}),
    async stop() {
      await writes
      if (!isClosed) await room.disconnect()
      close()
    },
  }
}
