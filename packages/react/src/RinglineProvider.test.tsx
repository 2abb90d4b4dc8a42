import { act, render, renderHook, screen, waitFor } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { StrictMode } from 'react'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useActiveCall } from './hooks/useActiveCall'
import { useCallHistory } from './hooks/useCallHistory'
import { useDevices } from './hooks/useDevices'
import { useIncomingCalls } from './hooks/useIncomingCalls'
import { RinglineProvider, useRingline } from './RinglineProvider'
import { createFakeApi, generateFakeCalls } from './testing/createFakeApi'
import { createFakeCall, createFakeCallClient, createFakeIncomingCall } from './testing/createFakeCallClient'

const server = setupServer(
  http.get('http://localhost/api/ringline/calls', () =>
    HttpResponse.json({ calls: generateFakeCalls(2), nextCursor: null }),
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

  it('hooks take an explicit client without a provider and follow its snapshots', () => {
    const client = createFakeCallClient()
    const { result } = renderHook(() => ({
      active: useActiveCall({ client }),
      incoming: useIncomingCalls({ client }),
      devices: useDevices({ client }),
    }))
    expect(result.current.active.phase).toBe('idle')
    const before = result.current.devices
    act(() =>
      client.setState({
        activeCall: createFakeCall({ phase: 'ringing' }),
        incoming: [createFakeIncomingCall({ id: 'x' })],
      }),
    )
    expect(result.current.active.phase).toBe('ringing')
    expect(result.current.incoming.ringing.map((c) => c.id)).toEqual(['x'])
    // Devices did not change: same object, no needless re-render work downstream.
    expect(result.current.devices).toBe(before)
    act(() => {
      result.current.active.toggleMute()
    })
    expect(client.actions.at(-1)).toEqual({ method: 'setMuted', args: [true] })
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
    const client = createFakeCallClient({ api: createFakeApi({ calls: [] }) })
    const { result } = renderHook(() => useCallHistory({ client, api, stats: false }))
    await waitFor(() => expect(result.current.status).toBe('success'))
    expect(result.current.calls).toHaveLength(4)
  })
})
