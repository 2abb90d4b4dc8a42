// Network warnings and the "Enable sound" step as CallControls, InternalCall and EnableSound show them, over the
// real client (core's fake server and LiveKit room) with a fake clock driving the warnings' hysteresis.
import { createFakeClock } from '@ringline/core/testing'
import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import {
  createTestClient,
  dialTo,
  fakeMediaDevices,
  fakeSounds,
  flush,
  serveRooms,
} from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeCallClient } from '../testing/createFakeCallClient'
import { CallControls } from './CallControls'
import { EnableSound } from './EnableSound'
import { InternalCall } from './InternalCall'

// These tests are about the body; the lazy shell itself is tested in lazyComponents.test.tsx.
beforeAll(() => InternalCall.preload())

const statusWith = (text: RegExp) =>
  screen.queryAllByRole('status').find((el) => text.test(el.textContent ?? '')) ?? null

describe('network warnings', () => {
  it('CallControls shows a poor line as text in a status region after the hysteresis delay, then clears it', async () => {
    const clock = createFakeClock()
    const t = createTestClient({ clock })
    const { container } = render(
      <RinglineProvider client={t.client}>
        <CallControls />
      </RinglineProvider>,
    )
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'active')
    })
    await act(async () => {
      room.setQuality('sip_+14155550123', 'poor')
      clock.advance(2_000)
      await flush()
    })
    expect(statusWith(/connection is poor/)).toBeNull()
    await act(async () => {
      clock.advance(1_000)
      await flush()
    })
    const status = statusWith(/connection is poor/)
    expect(status?.textContent).toBe("The other side's connection is poor. You may hear them break up.")
    expect(status?.querySelector('[data-warning="poor-network"][data-side="remote"]')).not.toBeNull()
    await expectNoAxeViolations(container)
    await act(async () => {
      room.setQuality('sip_+14155550123', 'excellent')
      clock.advance(5_000)
      await flush()
    })
    expect(statusWith(/connection is poor/)).toBeNull()
  })

  it('CallControls takes labels for the warnings; InternalCall shows reconnecting as text', async () => {
    const clock = createFakeClock()
    const t = createTestClient({ clock })
    render(
      <RinglineProvider client={t.client}>
        <CallControls
          labels={{
            networkWarnings: { 'poor-network': { local: 'Réseau faible', remote: 'Réseau distant faible' } },
          }}
        />
      </RinglineProvider>,
    )
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'active')
      room.setQuality('me', 'poor')
      clock.advance(3_000)
      await flush()
    })
    expect(statusWith(/Réseau faible/)).not.toBeNull()

    const user = userEvent.setup()
    const clock2 = createFakeClock()
    const r = createTestClient({ clock: clock2, mediaDevices: fakeMediaDevices() })
    serveRooms(r.server, { canEnd: false })
    const { container } = render(
      <RinglineProvider client={r.client}>
        <InternalCall defaultRoomName="ops" />
      </RinglineProvider>,
    )
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    await waitFor(() =>
      expect(container.querySelector('.rl-internal-call')?.getAttribute('data-state')).toBe('connected'),
    )
    await act(async () => {
      r.transport.room?.setState('reconnecting')
      clock2.advance(1_000)
      await flush()
    })
    expect(statusWith(/Your connection dropped/)).not.toBeNull()
    await act(async () => {
      r.transport.room?.setState('connected')
      await flush()
    })
    expect(statusWith(/Your connection dropped/)).toBeNull()
  })
})

describe('EnableSound', () => {
  it('shows only while sound is blocked; one click unblocks sounds and the call audio', async () => {
    const user = userEvent.setup()
    const sounds = fakeSounds('blocked')
    const t = createTestClient({ sounds })
    const { container } = render(
      <RinglineProvider client={t.client}>
        <CallControls />
      </RinglineProvider>,
    )
    // No call: CallControls has nothing to play, so no step.
    expect(screen.queryByRole('button', { name: 'Enable sound' })).toBeNull()
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'active')
      room.setCanPlaybackAudio(false)
      await flush()
    })
    const step = statusWith(/blocks the sound of this call/)
    expect(step).not.toBeNull()
    await expectNoAxeViolations(container)
    await user.click(screen.getByRole('button', { name: 'Enable sound' }))
    expect(sounds.unlocks).toBe(1)
    expect(room.canPlaybackAudio).toBe(true)
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Enable sound' })).toBeNull())
    expect(t.client.getSnapshot().audio.readiness).toBe('ready')
  })

  it('on its own: renders nothing when sound is ready, calls enableSound and onEnabled when blocked', async () => {
    const user = userEvent.setup()
    const ready = createFakeCallClient()
    const { unmount } = render(<EnableSound client={ready} />)
    expect(screen.queryByRole('status')).toBeNull()
    unmount()
    const blocked = createFakeCallClient({ state: { audio: { readiness: 'blocked', ringtone: false } } })
    let enabled = 0
    render(<EnableSound client={blocked} labels={{ enable: 'Son' }} onEnabled={() => enabled++} />)
    await user.click(screen.getByRole('button', { name: 'Son' }))
    expect(blocked.actions.map((a) => a.method)).toEqual(['enableSound'])
    expect(enabled).toBe(1)
    expect(screen.queryByRole('button', { name: 'Son' })).toBeNull()
  })
})
