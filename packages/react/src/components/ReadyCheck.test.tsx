// ReadyCheck over the real client and core's real checkReadiness, with the browser and LiveKit seams faked.
import type { MediaDevicesLike } from '@ringline/core'
import { FakeRoom, fakeLivekit } from '@ringline/core/testing'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, fakeMediaDevices, fakePermissions, fakeSounds } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeCallClient } from '../testing/createFakeCallClient'
import { ReadyCheck } from './ReadyCheck'

// These tests are about the body; the lazy shell itself is tested in lazyComponents.test.tsx.
beforeAll(() => ReadyCheck.preload())

/** Media devices whose getUserMedia yields a track (or fails with `fail`), recording the constraints. */
function microphone(fail?: string) {
  const requests: MediaStreamConstraints[] = []
  const base = fakeMediaDevices()
  const track = { kind: 'audio', label: 'USB headset', stop() {} } as unknown as MediaStreamTrack
  const media: MediaDevicesLike = {
    ...base,
    getUserMedia: async (c) => {
      requests.push(c)
      if (fail) throw new DOMException('no', fail)
      return { getTracks: () => [track], getAudioTracks: () => [track] } as unknown as MediaStream
    },
  }
  return { media, requests }
}

function setup(fail?: string, permission: 'prompt' | 'granted' | 'denied' = 'granted', roomName?: string) {
  const mic = microphone(fail)
  const sounds = Object.assign(fakeSounds('ready'), { tones: 0 })
  ;(sounds as unknown as { playTestTone: () => Promise<boolean> }).playTestTone = async () => {
    sounds.tones++
    return true
  }
  const t = createTestClient({ mediaDevices: mic.media, permissions: fakePermissions(permission), sounds })
  const room = new FakeRoom()
  room.senderStats = { packetsSent: 40, packetsLost: 0, roundTripTime: 0.03 }
  const joined: string[] = []
  t.server.on('POST /rooms/ready-check-test/join', () => {
    joined.push('join')
    const roomName = 'int-t1-ready-check-test'
    return {
      body: {
        room: {
          name: 'ready-check-test',
          roomName,
          callId: 'room_1',
          createdBy: 'u1',
          startedAt: '2026-01-01T00:00:00.000Z',
          participants: [],
        },
        connection: { serverUrl: 'wss://lk.test', token: 'token-ready', roomName },
        canEnd: true,
      },
    }
  })
  t.server.on('POST /rooms/ready-check-test/end', () => {
    joined.push('end')
    return { body: { ok: true } }
  })
  t.server.on('POST /ready-check', () => {
    joined.push('ready-check')
    const roomName = 'rc-t1-0b5e7a52-3c1f-4d8e-9a77-2f1c8e0d4b61'
    return { body: { connection: { serverUrl: 'wss://lk.test', token: 'token-ready', roomName }, roomName } }
  })
  const utils = render(
    <RinglineProvider client={t.client}>
      <ReadyCheck
        checkOptions={{
          mediaDevices: mic.media,
          permissions: fakePermissions(permission),
          meter: () => ({ level: () => 0.2, stop() {} }),
          holdMs: 0,
          ...(roomName ? { roomName } : {}),
          livekit: { livekit: fakeLivekit, createRoom: () => room },
        }}
      />
    </RinglineProvider>,
  )
  const card = screen.getByRole('region', { name: 'Ready to take calls?' })
  return { ...t, ...utils, card, mic, room, joined, sounds }
}

const stepState = (card: HTMLElement, name: string) =>
  card.querySelector(`[data-step="${name}"]`)?.getAttribute('data-state')

describe('ReadyCheck', () => {
  it('runs every step on click against the selected microphone and the token route, then says ready', async () => {
    const user = userEvent.setup()
    const t = setup()
    expect(t.card.getAttribute('data-state')).toBe('idle')
    expect(within(t.card).getByRole('status').textContent).toBe('Not checked yet.')
    await waitFor(() => expect(within(t.card).getByLabelText('Microphone')).toBeTruthy())
    await user.selectOptions(within(t.card).getByLabelText('Microphone'), 'usb')
    await user.click(within(t.card).getByRole('button', { name: 'Run the check' }))
    await waitFor(() => expect(t.card.getAttribute('data-state')).toBe('ready'))
    for (const step of ['permission', 'microphone', 'speaker', 'connection'])
      expect(stepState(t.card, step), step).toBe('passed')
    expect(within(t.card).getByRole('status').textContent).toBe('Ready to take calls.')
    expect(t.card.textContent).toContain('round trip 30 ms')
    expect(t.mic.requests.at(-1)).toEqual({ audio: { deviceId: { exact: 'usb' } } })
    // The server's private test room: no internal room joined, none to end, no call record.
    expect(t.joined).toEqual(['ready-check'])
    expect(t.room.connectCalls).toEqual([{ url: 'wss://lk.test', token: 'token-ready' }])
    expect(t.room.localParticipant.microphoneCalls).toEqual([true])
    expect(t.sounds.tones).toBe(1)
    await user.click(within(t.card).getByRole('button', { name: 'Play test sound' }))
    expect(t.sounds.tones).toBe(2)
    expect(t.card.textContent).toContain('Playing a test tone. Did you hear it?')
    expect(within(t.card).getByRole('button', { name: 'Check again' })).toBeTruthy()
    await expectNoAxeViolations(t.container)
  })

  it('a named roomName joins that internal room and ends it after', async () => {
    const user = userEvent.setup()
    const t = setup(undefined, 'granted', 'ready-check-test')
    await user.click(within(t.card).getByRole('button', { name: 'Run the check' }))
    await waitFor(() => expect(t.card.getAttribute('data-state')).toBe('ready'))
    expect(t.joined).toEqual(['join', 'end'])
  })

  it('denied: the permission step fails with its fix, and the verdict gives the reason', async () => {
    const user = userEvent.setup()
    const t = setup(undefined, 'denied')
    await user.click(within(t.card).getByRole('button', { name: 'Run the check' }))
    await waitFor(() => expect(t.card.getAttribute('data-state')).toBe('not-ready'))
    expect(stepState(t.card, 'permission')).toBe('failed')
    const fix = t.card.querySelector('[data-step="permission"] .rl-ready-step-fix')
    expect(fix?.textContent).toMatch(/^Fix: Microphone access is blocked for this site\./)
    expect(within(t.card).getByRole('status').textContent).toContain('Not ready for calls yet.')
    expect(within(t.card).getByRole('status').textContent).toContain(
      'Microphone access is blocked for this site.',
    )
    expect(t.mic.requests).toEqual([])
    await expectNoAxeViolations(t.container)
  })

  it('before a run, the permission step follows the client: denied with the recovery step, then allowed', async () => {
    const client = createFakeCallClient({ state: { permission: 'denied' } })
    render(<ReadyCheck client={client} showDevices={false} />)
    const step = () => document.querySelector('[data-step="permission"]') as HTMLElement
    expect(step().getAttribute('data-state')).toBe('failed')
    expect(step().textContent).toContain('Microphone access is blocked for this site.')
    expect(step().querySelector('.rl-ready-step-fix')?.textContent).toMatch(/allow the microphone/i)
    act(() => client.setState({ permission: 'granted' }))
    expect(step().getAttribute('data-state')).toBe('passed')
    expect(step().textContent).toContain('The microphone is allowed.')
    expect(step().querySelector('.rl-ready-step-fix')).toBeNull()
  })

  it('shows a given report (a microphone being measured) with its level', () => {
    const client = createFakeCallClient()
    render(
      <ReadyCheck
        client={client}
        showDevices={false}
        report={{
          verdict: 'checking',
          steps: [
            { name: 'permission', state: 'passed', message: 'The microphone is allowed.', fix: null },
            { name: 'microphone', state: 'running', message: 'Say something…', fix: null },
          ],
          reasons: [],
          permission: 'granted',
          level: 0.12,
          connection: { connectMs: null, publishMs: null, rttMs: null },
        }}
      />,
    )
    const meter = screen.getByLabelText('Microphone level') as HTMLMeterElement
    expect(Number(meter.getAttribute('value'))).toBeCloseTo(0.12)
    expect(screen.getByRole('status').textContent).toBe('Checking…')
    expect(screen.queryByLabelText('Microphone')).toBeNull()
  })
})
