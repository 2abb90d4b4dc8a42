import { makeEvent, makeRecord } from '@ringline/core/testing'
import { act, render, renderHook, screen, waitFor } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { StrictMode } from 'react'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestClient, dialTo, flush } from '../test/createTestClient'
import { useActiveCall } from './hooks/useActiveCall'
import { useCallHistory } from './hooks/useCallHistory'
import { useDevices } from './hooks/useDevices'
import { useIncomingCalls } from './hooks/useIncomingCalls'
import { RinglineProvider, useRingline } from './RinglineProvider'
import { createFakeApi, generateFakeCalls } from './testing/createFakeApi'

const server = setupServer(
  http.get('http://localhost/api/ringline/calls', () =>
    HttpResponse.json({ calls: generateFakeCalls(2), nextCursor: null }),
  ),
  // The history subscribes to the client it creates, which then opens its live event stream.
  http.get(
    'http://localhost/api/ringline/events',
    () => new HttpResponse(new ReadableStream(), { headers: { 'content-type': 'text/event-stream' } }),
  ),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

function History() {
  const history = useCallHistory({ stats: false })
  return <p data-state={history.status}>{history.calls.length}</p>
}

describe('RinglineProvider and hooks', () => {
  it('useRingline throws a helpful error outside a provider', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(() => renderHook(() => useRingline())).toThrow(/Wrap your app in <RinglineProvider/)
      expect(() => renderHook(() => useActiveCall())).toThrow(/pass `client` to the hook/)
    } finally {
      spy.mockRestore()
    }
  })

  it('hooks take an explicit client without a provider and follow its snapshots', async () => {
    const t = createTestClient({ events: true })
    const { client, server } = t
    const { result } = renderHook(() => ({
      active: useActiveCall({ client }),
      incoming: useIncomingCalls({ client }),
      devices: useDevices({ client }),
    }))
    expect(result.current.active.phase).toBe('idle')
    await act(async () => {
      await dialTo(t, 'ringing')
    })
    expect(result.current.active.phase).toBe('ringing')
    const before = result.current.devices
    await act(async () => {
      server.push(
        makeEvent('call.incoming', makeRecord({ id: 'x', direction: 'inbound', status: 'ringing' })),
      )
      await flush()
    })
    expect(result.current.incoming.ringing.map((c) => c.id)).toEqual(['x'])
    // Devices did not change: same object, no needless re-render work downstream.
    expect(result.current.devices).toBe(before)
    await act(async () => {
      result.current.active.toggleMute()
      await flush()
    })
    expect(client.getSnapshot().activeCall?.muted).toBe(true)
    expect(t.transport.room?.localParticipant.isMicrophoneEnabled).toBe(false)
    client.destroy()
  })

  it('with only a baseUrl it creates core’s client and uses its API, also under StrictMode', async () => {
    const { unmount } = render(
      <StrictMode>
        <RinglineProvider baseUrl="http://localhost/api/ringline">
          <History />
        </RinglineProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByText('2').getAttribute('data-state')).toBe('success'))
    unmount()
  })

  it('an explicit api wins over the client’s', async () => {
    const api = createFakeApi({ calls: generateFakeCalls(4) })
    // The client's own api would list nothing (`GET /calls` is unscripted on its fake server).
    const { client } = createTestClient()
    const { result } = renderHook(() => useCallHistory({ client, api, stats: false }))
    await waitFor(() => expect(result.current.status).toBe('success'))
    expect(result.current.calls).toHaveLength(4)
  })
})
