import {
  AudioSource,
  dispose,
  LocalAudioTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node'
import type { TranscriptSegment } from '@ringline/core/protocol'
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Queryable } from '../sql/types'
import { startTestLivekit, type TestLivekit } from '../testing/egress/livekitTestServer'
import { createTestDb, insertTestCall } from '../testing/testDb'
import { sqlTranscriptStore } from './sqlTranscriptStore'
import { createTranscriptionService } from './transcriptionService'
import { mergeTranscript, segmentFromTextStream } from './transcriptSegments'

// Unique per run: the sandbox's livekit-server outlives test runs.
const RUN = Math.random().toString(36).slice(2, 8)
let livekit: TestLivekit
let db: Queryable & { close(): Promise<void> }
const rooms: Room[] = []

async function join(
  roomName: string,
  identity: string,
  name: string,
  kind: 'sip' | 'agent',
): Promise<{ room: Room; trackSid: string }> {
  const token = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity, name })
  token.kind = kind
  token.addGrant({
    roomJoin: true,
    room: roomName,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  })
  const room = new Room()
  rooms.push(room)
  await room.connect(livekit.wsUrl, await token.toJwt(), { autoSubscribe: false, dynacast: false })
  const source = new AudioSource(48_000, 1)
  const track = LocalAudioTrack.createAudioTrack(`${identity}-mic`, source)
  const publication = await room.localParticipant!.publishTrack(
    track,
    new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
  )
  return { room, trackSid: publication.sid! }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((r) => setTimeout(r, 50))
  }
}

beforeAll(async () => {
  livekit = await startTestLivekit()
  db = await createTestDb()
})

afterAll(async () => {
  for (const room of rooms) await room.disconnect().catch(() => {})
  await dispose()
  await db?.close()
  await livekit?.stop()
})

describe('transcript collector against a real livekit-server', () => {
  it('stores final lk.transcription segments, attributed to the transcribed track owner, once, in order', async () => {
    // Not an `in-`/`out-` room name: other suites on the shared sandbox hang up SIP participants of unknown calls.
    const roomName = `media-test-transcripts-${RUN}`
    await new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret).createRoom({ name: roomName })
    await insertTestCall(db, { id: 'call-t1', roomName, direction: 'inbound' })
    const store = sqlTranscriptStore(db)
    const live: TranscriptSegment[] = []
    const service = createTranscriptionService({
      livekit,
      store,
      options: { store: true },
      onSegment: (_callId, segment) => live.push(segment),
    })

    const caller = await join(roomName, 'sip_+15550001', 'Phone +15550001', 'sip')
    const agent = await join(roomName, 'agent-receptionist', 'Receptionist', 'agent')
    await service.onCallConnected({ callId: 'call-t1', roomName })
    await service.onCallConnected({ callId: 'call-t1', roomName })
    expect(service.active()).toEqual(['call-t1'])

    // The collector is hidden: nobody in the call sees it.
    const others = await until(
      async () => [...agent.room.remoteParticipants.keys()],
      (ids) => ids.includes('sip_+15550001'),
    )
    expect(others).toEqual(['sip_+15550001'])
    await new Promise((r) => setTimeout(r, 300))

    const send = (text: string, segmentId: string, trackId: string, final: boolean) =>
      agent.room.localParticipant!.sendText(text, {
        topic: 'lk.transcription',
        attributes: {
          'lk.transcribed_track_id': trackId,
          'lk.segment_id': segmentId,
          'lk.transcription_final': String(final),
        },
      })
    // The agent transcribes the caller (interim, then final) and itself; LiveKit-style redelivery of a final.
    await send('I need', 'SG_caller_1', caller.trackSid, false)
    await send('I need to move my booking', 'SG_caller_1', caller.trackSid, true)
    await new Promise((r) => setTimeout(r, 20))
    await send('Sure, which date?', 'SG_agent_1', agent.trackSid, true)
    await send('I need to move my booking', 'SG_caller_1', caller.trackSid, true)
    await agent.room.localParticipant!.sendText('not a transcript', { topic: 'chat' })
    await new Promise((r) => setTimeout(r, 20))
    await send('The twelfth', 'SG_caller_2', caller.trackSid, true)

    const stored = await until(
      () => store.listSegments('call-t1'),
      (s) => s.length >= 3,
    )
    expect(stored.map((s) => [s.id, s.speakerIdentity, s.speakerKind, s.speaker, s.text])).toEqual([
      ['SG_caller_1', 'sip_+15550001', 'sip', 'Phone +15550001', 'I need to move my booking'],
      ['SG_agent_1', 'agent-receptionist', 'agent', 'Receptionist', 'Sure, which date?'],
      ['SG_caller_2', 'sip_+15550001', 'sip', 'Phone +15550001', 'The twelfth'],
    ])
    expect(stored.every((s) => s.final && s.trackId !== null)).toBe(true)
    expect(stored.map((s) => s.at)).toEqual([...stored.map((s) => s.at)].sort())
    expect(live.some((s) => !s.final && s.text === 'I need')).toBe(true)

    await service.onCallEnded('call-t1')
    expect(service.active()).toEqual([])
    await send('after the end', 'SG_late', caller.trackSid, true)
    await new Promise((r) => setTimeout(r, 300))
    expect(await store.listSegments('call-t1')).toHaveLength(3)
  })

  it('does nothing when transcripts are not enabled', async () => {
    let started = 0
    const service = createTranscriptionService({
      livekit,
      store: sqlTranscriptStore(db),
      startCollector: async () => {
        started++
        throw new Error('should not start')
      },
    })
    await service.onCallConnected({ callId: 'x', roomName: 'y' })
    expect(service.enabled).toBe(false)
    expect(started).toBe(0)
  })
})

describe('transcript segments', () => {
  const speaker = { identity: 'sip_1', name: 'Phone', kind: 'sip' as const }

  it('builds a segment from stream attributes and skips empty text', () => {
    const segment = segmentFromTextStream(
      {
        streamId: 'st1',
        timestamp: Date.UTC(2026, 0, 1),
        attributes: {
          'lk.segment_id': 'SG_1',
          'lk.transcription_final': 'true',
          'lk.transcribed_track_id': 'TR_1',
        },
      },
      ' hello ',
      speaker,
    )
    expect(segment).toEqual({
      id: 'SG_1',
      at: '2026-01-01T00:00:00.000Z',
      speaker: 'Phone',
      speakerIdentity: 'sip_1',
      speakerKind: 'sip',
      text: 'hello',
      final: true,
      trackId: 'TR_1',
      language: null,
    })
    expect(segmentFromTextStream({ streamId: 's', timestamp: 1, attributes: {} }, '  ', speaker)).toBeNull()
    expect(segmentFromTextStream({ streamId: 's', timestamp: 1 }, 'x', speaker)?.id).toBe('s')
  })

  it('merges live segments: final wins over interim, order by time', () => {
    const base = {
      speaker: 'P',
      speakerIdentity: 'p',
      speakerKind: 'user' as const,
      trackId: null,
      language: null,
    }
    const merged = mergeTranscript(
      [{ ...base, id: 'a', at: '2026-01-01T00:00:02.000Z', text: 'hel', final: false }],
      [
        { ...base, id: 'b', at: '2026-01-01T00:00:01.000Z', text: 'first', final: true },
        { ...base, id: 'a', at: '2026-01-01T00:00:03.000Z', text: 'hello', final: true },
        { ...base, id: 'a', at: '2026-01-01T00:00:04.000Z', text: 'hello?', final: false },
      ],
    )
    expect(merged.map((s) => [s.id, s.text, s.final, s.at])).toEqual([
      ['b', 'first', true, '2026-01-01T00:00:01.000Z'],
      ['a', 'hello', true, '2026-01-01T00:00:02.000Z'],
    ])
  })
})
