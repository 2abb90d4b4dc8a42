import { describe, expect, it } from 'vitest'
import { createTestClient } from '../test/callClientHarness'
import { mergeTranscript, TRANSCRIPTION_TOPIC } from './protocol'
import { isRinglineError } from './ringlineError'
import { connectionFor, createFakeServer, makeRecord, settle } from './testing/fakeServer'
import { createFakeTransport } from './testing/index'
import type { Call } from './types'

// Live transcript and agents in the Call state, from a fake LiveKit room; inviteAgent over the fake server.
async function connectedCall() {
  const server = createFakeServer()
  const transport = createFakeTransport()
  const client = createTestClient(server, transport, { random: () => 1 })
  const record = makeRecord()
  server.on('POST /calls', () => ({ status: 201, body: { call: record, connection: connectionFor(record) } }))
  await client.dial('+14155550123')
  await settle()
  const room = transport.room
  if (!room) throw new Error('no room')
  room.addSipParticipant('active')
  await settle()
  const call = () => client.getSnapshot().activeCall as Call
  expect(call().phase).toBe('connected')
  return { server, client, room, call, transport }
}

describe('live transcript', () => {
  it('merges lk.transcription text streams by segment id: interim replaced by final, never the reverse', async () => {
    const { room, call } = await connectedCall()
    expect(call().transcript).toEqual([])
    const before = call()
    const base = 1_700_000_000_000
    await room.sendText('sip_+14155550123', TRANSCRIPTION_TOPIC, 'Hello I', { 'lk.segment_id': 'S1' }, base)
    await settle()
    expect(call().transcript.map((s) => [s.id, s.text, s.final, s.speakerKind])).toEqual([
      ['S1', 'Hello I', false, 'sip'],
    ])
    expect(call()).not.toBe(before)
    await room.sendText(
      'sip_+14155550123',
      TRANSCRIPTION_TOPIC,
      'Hello, I need help.',
      { 'lk.segment_id': 'S1', 'lk.transcription_final': 'true' },
      base,
    )
    await room.sendText(
      'me',
      TRANSCRIPTION_TOPIC,
      'Sure, go ahead.',
      { 'lk.segment_id': 'S2', 'lk.transcription_final': 'true' },
      base + 2000,
    )
    // A late interim copy of S1 must not undo its final text.
    await room.sendText('sip_+14155550123', TRANSCRIPTION_TOPIC, 'Hello I', { 'lk.segment_id': 'S1' }, base)
    await settle()
    expect(call().transcript.map((s) => [s.id, s.speaker, s.text, s.final])).toEqual([
      ['S1', 'Phone +14155550123', 'Hello, I need help.', true],
      ['S2', 'Me', 'Sure, go ahead.', true],
    ])
    // Same content again: the snapshot stays the same object.
    const stable = call()
    await room.sendText(
      'me',
      TRANSCRIPTION_TOPIC,
      'Sure, go ahead.',
      { 'lk.segment_id': 'S2', 'lk.transcription_final': 'true' },
      base + 2000,
    )
    await settle()
    expect(call()).toBe(stable)
  })

  it('attributes a segment to the owner of lk.transcribed_track_id, and reads the legacy TranscriptionReceived event', async () => {
    const { room, call } = await connectedCall()
    const agent = room.addParticipant({ identity: 'agent-1', name: 'Receptionist', kind: 'agent' })
    room.publishAudio('sip_+14155550123')
    const pub = room.remoteParticipants
      .get('sip_+14155550123')
      ?.audioTrackPublications.get('TR_sip_+14155550123')
    if (pub) pub.trackSid = 'TR_phone'
    await room.sendText(agent.identity, TRANSCRIPTION_TOPIC, 'Caller words', {
      'lk.segment_id': 'S9',
      'lk.transcription_final': 'true',
      'lk.transcribed_track_id': 'TR_phone',
    })
    room.receiveTranscription('agent-1', [
      { id: 'L1', text: ' How can I help? ', final: true, firstReceivedTime: Date.now() + 1000 },
    ])
    await settle()
    expect(call().transcript.map((s) => [s.id, s.speakerIdentity, s.speakerKind, s.text])).toEqual([
      ['S9', 'sip_+14155550123', 'sip', 'Caller words'],
      ['L1', 'agent-1', 'agent', 'How can I help?'],
    ])
  })

  it('stops listening when the call ends (the handler is unregistered, a new call can register again)', async () => {
    const { room, client } = await connectedCall()
    expect(room.textHandlers.has(TRANSCRIPTION_TOPIC)).toBe(true)
    await client.hangup()
    await settle()
    expect(room.textHandlers.has(TRANSCRIPTION_TOPIC)).toBe(false)
  })

  it('mergeTranscript keeps time order and returns the same array when nothing changed', () => {
    const seg = (id: string, at: number, text: string, final = true) => ({
      id,
      at: new Date(at).toISOString(),
      speaker: 'A',
      speakerIdentity: 'a',
      speakerKind: 'user' as const,
      text,
      final,
    })
    const one = mergeTranscript([], [seg('b', 2000, 'second'), seg('a', 1000, 'first')])
    expect(one.map((s) => s.id)).toEqual(['a', 'b'])
    expect(mergeTranscript(one, [seg('a', 1000, 'first')])).toBe(one)
  })
})

describe('agents in the call', () => {
  it('lists agent participants with their lk.agent.state, keeping the array while nothing about them changed', async () => {
    const { room, call } = await connectedCall()
    expect(call().agents).toEqual([])
    room.addParticipant({ identity: 'agent-1', name: 'Receptionist', kind: 'agent' })
    await settle()
    expect(call().agents).toEqual([{ identity: 'agent-1', name: 'Receptionist', state: 'unknown' }])
    room.setAttributes('agent-1', { 'lk.agent.state': 'listening' })
    await settle()
    expect(call().agents[0]?.state).toBe('listening')
    const agents = call().agents
    room.setSpeaking(['sip_+14155550123'])
    await settle()
    expect(call().agents).toBe(agents)
    room.setAttributes('agent-1', { 'lk.agent.state': 'speaking' })
    await settle()
    expect(call().agents[0]?.state).toBe('speaking')
    room.removeParticipant('agent-1')
    await settle()
    expect(call().agents).toEqual([])
  })

  it('inviteAgent posts to /calls/:id/agent and returns the dispatch; errors carry their code', async () => {
    const { server, client } = await connectedCall()
    server.on('POST /calls/call_1/agent', (request) => ({
      body: {
        dispatch: {
          agentName: (request.body as { agentName: string }).agentName,
          state: 'dispatched',
          dispatchId: 'AD_1',
          error: null,
          createdAt: new Date().toISOString(),
        },
        created: true,
      },
    }))
    const result = await client.inviteAgent('receptionist')
    expect(result).toMatchObject({
      created: true,
      dispatch: { agentName: 'receptionist', dispatchId: 'AD_1' },
    })
    expect(server.calls('POST /calls/call_1/agent')[0]?.body).toEqual({ agentName: 'receptionist' })
    server.on('POST /calls/call_1/agent', () => ({
      status: 403,
      body: {
        error: { code: 'FORBIDDEN', message: 'Agent "x" may not be dispatched here.', requestId: 'r' },
      },
    }))
    const error = await client.inviteAgent('x').catch((e: unknown) => e)
    expect(isRinglineError(error) && error.code).toBe('FORBIDDEN')
  })

  it('refuses to invite an agent without an active call', async () => {
    const { client } = await connectedCall()
    await client.hangup()
    await expect(client.inviteAgent('receptionist')).rejects.toMatchObject({ code: 'CALL_NOT_ACTIVE' })
  })
})
