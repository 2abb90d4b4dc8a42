import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryLocks } from '../test/memoryLocks'
import { type CallClient, createCallClient } from './callClient'
import type { SoundManager, SoundName } from './soundManager'
import { createTabCoordinator, type TabCoordinator } from './tabCoordinator'
import { createFakeClock } from './testing/fakeClock'
import { connectionFor, createFakeServer, makeEvent, makeRecord, settle } from './testing/fakeServer'
import { createFakeTransport } from './testing/index'

// Real BroadcastChannel (Node has it) between "tabs" in one process, and an injected lock manager.
const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.()
})

let channelSeq = 0

describe('createTabCoordinator', () => {
  it('elects one leader, passes leadership on when it stops, and carries messages between tabs', async () => {
    const name = `test-${++channelSeq}`
    const locks = createMemoryLocks()
    const got: Record<string, unknown[]> = { a: [], b: [], c: [] }
    const leaders: Record<string, boolean> = {}
    const tabs: Record<string, TabCoordinator<string>> = {}
    for (const id of ['a', 'b', 'c']) {
      tabs[id] = createTabCoordinator<string>({
        name,
        locks,
        onMessage: (m) => got[id]?.push(m),
        onLeaderChange: (l) => {
          leaders[id] = l
        },
      })
      tabs[id].start()
      cleanups.push(() => tabs[id]?.stop())
    }
    await settle()
    expect(Object.values(tabs).filter((t) => t.isLeader)).toHaveLength(1)
    expect(tabs.a?.isLeader).toBe(true)
    tabs.b?.post('hello')
    await settle()
    expect(got).toEqual({ a: ['hello'], b: [], c: ['hello'] })

    tabs.a?.stop()
    await settle()
    expect(tabs.b?.isLeader).toBe(true)
    expect(leaders).toEqual({ a: false, b: true })
    tabs.b?.stop()
    await settle()
    expect(tabs.c?.isLeader).toBe(true)
  })

  it('leads alone without Web Locks or BroadcastChannel', () => {
    const onLeaderChange = vi.fn()
    const tab = createTabCoordinator({
      name: 'x',
      BroadcastChannel: null,
      locks: null,
      onMessage() {},
      onLeaderChange,
    })
    tab.start()
    expect(tab.isLeader).toBe(true)
    expect(tab.connected).toBe(false)
    tab.stop()
    expect(onLeaderChange.mock.calls).toEqual([[true], [false]])
  })
})

function fakeSounds() {
  const playing = new Set<SoundName>()
  const sounds: SoundManager = {
    readiness: 'ready',
    volume: 1,
    canSelectRingDevice: false,
    subscribe: () => () => {},
    play: (n) => playing.add(n),
    stop: (n) => playing.delete(n),
    stopAll: () => playing.clear(),
    isPlaying: (n) => playing.has(n),
    playDtmf() {},
    createHoldMusic: () => null,
    setVolume() {},
    setRingDevice: async () => {},
    unlock: async () => {},
    listen() {},
    unlisten() {},
    destroy() {},
  }
  return { sounds, playing }
}

describe('one ringing tab per browser', () => {
  const inbound = makeRecord({
    id: 'in_7',
    direction: 'inbound',
    status: 'ringing',
    fromNumber: '+14155550123',
    toNumber: '+14155550100',
    roomName: 'in-t1_x',
  })

  async function browser(n: number) {
    const server = createFakeServer()
    const locks = createMemoryLocks()
    const name = `ringline-test-${++channelSeq}`
    const tabs: Array<{
      client: CallClient
      playing: Set<SoundName>
      transport: ReturnType<typeof createFakeTransport>
    }> = []
    const addTab = async () => {
      const { sounds, playing } = fakeSounds()
      const transport = createFakeTransport()
      const client = createCallClient({
        baseUrl: '/api/ringline',
        fetch: server.fetch,
        transport,
        clock: createFakeClock(),
        sounds,
        notifications: false,
        mediaDevices: null,
        permissions: null,
        tabs: { name, locks },
      })
      const unsubscribe = client.subscribe(() => {})
      cleanups.push(() => {
        unsubscribe()
        client.destroy()
      })
      const tab = { client, playing, transport }
      tabs.push(tab)
      await settle()
      return tab
    }
    for (let i = 0; i < n; i++) await addTab()
    await settle()
    return { server, tabs, addTab }
  }

  it('only the leader opens /events and rings; followers mirror the incoming list', async () => {
    const { server, tabs } = await browser(3)
    expect(server.calls('GET /events')).toHaveLength(1)
    expect(tabs.map((t) => t.client.isLeaderTab)).toEqual([true, false, false])
    expect(tabs.map((t) => t.client.getSnapshot().events)).toEqual(['online', 'online', 'online'])
    server.push(makeEvent('call.incoming', inbound))
    await settle()
    for (const t of tabs)
      expect(t.client.getSnapshot().incoming.map((c) => [c.id, c.phase])).toEqual([['in_7', 'ringing']])
    expect(tabs.map((t) => t.playing.has('ringtone'))).toEqual([true, false, false])
  })

  it('answering in a follower tab stops ringing everywhere', async () => {
    const { server, tabs } = await browser(2)
    server.on('POST /calls/in_7/answer', () => ({
      body: {
        call: { ...inbound, status: 'in-progress', answeredBy: 'u1' },
        connection: connectionFor(inbound),
      },
    }))
    server.push(makeEvent('call.incoming', inbound))
    await settle()
    const [leader, follower] = tabs
    expect(leader?.playing.has('ringtone')).toBe(true)
    await follower?.client.answer('in_7')
    await settle()
    expect(leader?.client.getSnapshot().incoming).toEqual([])
    expect(leader?.playing.has('ringtone')).toBe(false)
    expect(follower?.client.getSnapshot().activeCall?.phase).toBe('connecting')
    // the server's "answered" echo must not turn into "answered elsewhere" in the leader
    server.push(makeEvent('call.updated', { ...inbound, status: 'in-progress', answeredBy: 'u1' }))
    await settle()
    expect(leader?.client.getSnapshot().incoming).toEqual([])
  })

  it('declining in one tab removes the call in all tabs', async () => {
    const { server, tabs } = await browser(2)
    server.on('POST /calls/in_7/decline', () => ({ body: {} }))
    server.push(makeEvent('call.incoming', inbound))
    await settle()
    await tabs[0]?.client.decline('in_7')
    await settle()
    expect(tabs.map((t) => t.client.getSnapshot().incoming.length)).toEqual([0, 0])
  })

  it('passes leadership when the leader tab closes mid-ring: the next tab rings and resumes /events', async () => {
    const { server, tabs } = await browser(2)
    const first = makeEvent('call.incoming', inbound)
    server.push(first)
    await settle()
    const [leader, follower] = tabs
    expect(follower?.playing.has('ringtone')).toBe(false)
    leader?.client.destroy() // the tab closes
    await settle()
    expect(follower?.client.isLeaderTab).toBe(true)
    expect(follower?.playing.has('ringtone')).toBe(true)
    const streams = server.calls('GET /events')
    expect(streams).toHaveLength(2)
    expect(streams[1]?.headers.get('last-event-id')).toBe(first.id)
    server.push(makeEvent('call.ended', { ...inbound, status: 'missed' }))
    await settle()
    const [call] = follower?.client.getSnapshot().incoming ?? []
    expect(call?.phase === 'ended' && call.endReason).toBe('missed')
    expect(follower?.playing.has('ringtone')).toBe(false)
  })

  it('a tab opened later gets the ringing call from the leader, without ringing itself', async () => {
    const { server, addTab } = await browser(1)
    server.push(makeEvent('call.incoming', inbound))
    await settle()
    const late = await addTab()
    await settle()
    expect(late.client.isLeaderTab).toBe(false)
    expect(late.client.getSnapshot().incoming.map((c) => [c.id, c.phase])).toEqual([['in_7', 'ringing']])
    expect(late.client.getSnapshot().events).toBe('online')
    expect(late.playing.has('ringtone')).toBe(false)
    expect(server.calls('GET /events')).toHaveLength(1)
  })
})
