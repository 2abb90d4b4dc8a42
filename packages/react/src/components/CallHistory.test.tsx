import type { CallClientOptions } from '@ringline/core'
import { makeEvent, makeRecord } from '@ringline/core/testing'
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Profiler } from 'react'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, flush, serveFakeApi } from '../../test/createTestClient'
import { de } from '../locales/de'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeApi, type FakeApiOptions, generateFakeCalls } from '../testing/createFakeApi'
import { CallHistory, type CallHistoryProps } from './CallHistory'

// These tests are about the body; the lazy shell itself is tested in lazyComponents.test.tsx.
beforeAll(() => CallHistory.preload())

/** CallHistory alone over the real client, whose `GET /calls[/:id]` the in-memory fake API answers. */
type FakeParticipant = NonNullable<FakeApiOptions['participants']>[string][number]

/** Ada, a browser user last seen muted; `more` sets when she left and how long she was there. */
const mutedAda = (more: Pick<FakeParticipant, 'leftAt' | 'durationSeconds'>): FakeParticipant => ({
  identity: 'user_ada',
  kind: 'user',
  name: 'Ada',
  joinedAt: '2026-11-20T10:00:00.000Z',
  muted: true,
  ...more,
})

function setup(
  props: Partial<CallHistoryProps> = {},
  apiOptions: FakeApiOptions = {},
  options: Partial<CallClientOptions> = {},
) {
  const api = createFakeApi(apiOptions)
  const { client, server } = createTestClient(options)
  serveFakeApi(server, api)
  const utils = render(
    <RinglineProvider client={client}>
      <CallHistory timeZone="UTC" locale="en-US" {...props} />
    </RinglineProvider>,
  )
  const root = screen.getByRole('region', { name: 'Call history' })
  return { api, client, server, root, ...utils }
}

describe('CallHistory', () => {
  it('loads, shows stats and rows with direction, status, duration and who answered', async () => {
    const calls = generateFakeCalls(30)
    const { root, container } = setup({ resolveUser: (id) => id.toUpperCase() }, { calls })
    expect(root.getAttribute('data-state')).toBe('loading')
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    expect(screen.getAllByRole('term').map((t) => t.textContent)).toEqual([
      'Calls',
      'Answered',
      'Average length',
      'Missed',
    ])
    expect(root.querySelector('.rl-history-stats dd')?.textContent).toBe('30')
    const list = screen.getByRole('list', { name: 'Calls' })
    const first = within(list).getAllByRole('listitem')[0]!
    const call = calls[0]!
    expect(first.getAttribute('data-direction')).toBe(call.direction)
    expect(first.getAttribute('data-status')).toBe(call.status)
    expect(first.getAttribute('aria-posinset')).toBe('1')
    expect(first.getAttribute('aria-setsize')).toBe('30')
    const answered = calls.findIndex((c) => c.answeredBy)
    expect(root.textContent).toContain(`Answered by ${calls[answered]!.answeredBy!.toUpperCase()}`)
    await expectNoAxeViolations(container)
  })

  it('badges a transferred call as Transferred (its status stays completed)', async () => {
    const calls = generateFakeCalls(2).map((c, i) =>
      i === 0
        ? {
            ...c,
            status: 'completed' as const,
            endReason: 'transferred' as const,
            transfer: { kind: 'blind' as const, to: 'tel:+14155550199', at: c.startedAt, by: 'alice' },
          }
        : { ...c, status: 'completed' as const, transfer: null },
    )
    const { root } = setup({}, { calls })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    const rows = within(screen.getByRole('list', { name: 'Calls' })).getAllByRole('listitem')
    const badge = (row: HTMLElement) => row.querySelector('.rl-badge')!
    const transferred = rows.find((r) => badge(r).textContent === 'Transferred')
    expect(transferred?.getAttribute('data-status')).toBe('completed')
    expect(badge(transferred!).hasAttribute('data-transferred')).toBe(true)
    expect(rows.filter((r) => badge(r).textContent === 'Completed')).toHaveLength(1)
  })

  it('virtualizes 10,000 calls and pages in as the list scrolls', async () => {
    const calls = generateFakeCalls(10_000)
    const { server, root } = setup({ pageSize: 200, listHeight: 480, rowHeight: 48 }, { calls })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    const list = screen.getByRole('list', { name: 'Calls' })
    expect(list.style.height).toBe(`${200 * 48}px`)
    expect(within(list).getAllByRole('listitem').length).toBeLessThanOrEqual(10 + 2 * 6)
    expect(within(list).getAllByRole('listitem')[0]!.getAttribute('aria-setsize')).toBe('-1')
    const viewport = list.parentElement!
    viewport.scrollTop = 150 * 48
    fireEvent.scroll(viewport)
    const rows = within(list).getAllByRole('listitem')
    expect(rows[0]!.getAttribute('aria-posinset')).toBe(String(150 - 6 + 1))
    viewport.scrollTop = 195 * 48
    fireEvent.scroll(viewport)
    await waitFor(() => expect(list.style.height).toBe(`${400 * 48}px`))
    expect(server.calls('GET /calls').map((r) => r.query.cursor)).toEqual([undefined, '200'])
  })

  it('re-renders on scroll only when the rows to show change, not for every pixel', async () => {
    const calls = generateFakeCalls(500)
    let commits = 0
    const api = createFakeApi({ calls })
    const { client, server } = createTestClient()
    serveFakeApi(server, api)
    render(
      <RinglineProvider client={client}>
        <Profiler id="history" onRender={() => commits++}>
          <CallHistory timeZone="UTC" locale="en-US" pageSize={200} listHeight={480} rowHeight={48} />
        </Profiler>
      </RinglineProvider>,
    )
    const list = await screen.findByRole('list', { name: 'Calls' })
    const viewport = list.parentElement!
    const firstRow = () => within(list).getAllByRole('listitem')[0]!.getAttribute('aria-posinset')
    viewport.scrollTop = 20 * 48
    fireEvent.scroll(viewport)
    expect(firstRow()).toBe(String(20 - 6 + 1))
    const before = commits
    // A wheel's small steps within row 20: the same rows, so no render.
    for (const px of [5, 12, 30, 47]) {
      viewport.scrollTop = 20 * 48 + px
      fireEvent.scroll(viewport)
    }
    expect(commits).toBe(before)
    // The next row comes into view: one render, the window moves by one.
    viewport.scrollTop = 21 * 48 + 3
    fireEvent.scroll(viewport)
    expect(commits).toBe(before + 1)
    expect(firstRow()).toBe(String(21 - 6 + 1))
    // The last visible rows are rendered whatever the offset within a row.
    const lastRow = () => Number(within(list).getAllByRole('listitem').at(-1)!.getAttribute('aria-posinset'))
    expect(lastRow()).toBeGreaterThanOrEqual(Math.ceil((21 * 48 + 47 + 480) / 48))
  })

  it('shrinks a short list to its rows and caps a long one at listHeight', async () => {
    const { root } = setup({ listHeight: 480, rowHeight: 56 }, { calls: generateFakeCalls(1) })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    const viewport = screen.getByRole('list', { name: 'Calls' }).parentElement!
    expect(viewport.style.height).toBe(`${56 + 2}px`)
  })

  it('keeps a long list at listHeight', async () => {
    const { root } = setup({ listHeight: 300, rowHeight: 56 }, { calls: generateFakeCalls(40) })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    const viewport = screen.getByRole('list', { name: 'Calls' }).parentElement!
    expect(viewport.style.height).toBe('300px')
  })

  it('filters by direction and status and shows the filtered empty state', async () => {
    const user = userEvent.setup()
    const calls = generateFakeCalls(40)
    const onFiltersChange = vi.fn()
    const { root } = setup({ onFiltersChange }, { calls })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    await user.selectOptions(screen.getByLabelText('Direction'), 'inbound')
    expect(onFiltersChange).toHaveBeenLastCalledWith({ direction: 'inbound' })
    await waitFor(() => {
      const rows = within(screen.getByRole('list', { name: 'Calls' })).getAllByRole('listitem')
      expect(rows.every((r) => r.getAttribute('data-direction') === 'inbound')).toBe(true)
    })
    await user.type(screen.getByLabelText('Search numbers'), '9999999')
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('empty'))
    expect(root.textContent).toContain('No calls match these filters.')
    await user.click(screen.getByRole('button', { name: 'Clear filters' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
  })

  it('filters browser rooms by kind through GET /calls?roomKind=, with the kind names from labels', async () => {
    const user = userEvent.setup()
    const room = (id: string, roomKind: string) =>
      makeRecord({
        id,
        direction: 'internal',
        roomName: `int-t1-${id}`,
        roomKind,
        fromNumber: null,
        toNumber: null,
      })
    const calls = [...generateFakeCalls(8), room('s1', 'support'), room('s2', 'support'), room('x1', 'sales')]
    const onFiltersChange = vi.fn()
    const { root, server } = setup(
      { onFiltersChange, roomKinds: ['support', 'sales'], labels: { roomKindNames: { support: 'Support' } } },
      { calls },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    const kind = screen.getByLabelText('Room kind') as HTMLSelectElement
    expect([...kind.options].map((o) => o.textContent)).toEqual(['All kinds', 'Support', 'sales'])
    await user.selectOptions(kind, 'support')
    expect(onFiltersChange).toHaveBeenLastCalledWith({ roomKind: 'support' })
    const rows = () => within(screen.getByRole('list', { name: 'Calls' })).getAllByRole('listitem')
    await waitFor(() => expect(rows()).toHaveLength(2))
    expect(rows().every((r) => r.getAttribute('data-direction') === 'internal')).toBe(true)
    expect(server.calls('GET /calls').at(-1)?.query.roomKind).toBe('support')
  })

  it('shows no kind filter without room kinds', async () => {
    const { root } = setup({}, { calls: generateFakeCalls(3) })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    expect(screen.queryByLabelText('Room kind')).toBeNull()
  })

  it('shows the empty and error states, and retries', async () => {
    const { root } = setup({}, { calls: [] })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('empty'))
    expect(root.textContent).toContain('No calls yet.')
  })

  it('reports a failed load with a retry button', async () => {
    const user = userEvent.setup()
    const failures: FakeApiOptions['failures'] = {
      listCalls: { code: 'UPSTREAM_ERROR', message: 'Database down.' },
    }
    const { root } = setup({}, { calls: generateFakeCalls(3), failures })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('error'))
    // The text comes from the error code, not the server's English message.
    expect(screen.getByRole('alert').textContent).toContain(
      'A service the server depends on answered with an error.',
    )
    expect(screen.getByRole('alert').textContent).not.toContain('Database down.')
    delete failures.listCalls
    await user.click(screen.getByRole('button', { name: 'Try again' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
  })

  it('opens details with the recording player and transcript; call back fires with the number', async () => {
    const user = userEvent.setup()
    const calls = generateFakeCalls(10)
    const withRecording = calls.find((c) => c.recordingUrl && c.direction !== 'internal')!
    const onCallBack = vi.fn()
    const { root, container } = setup(
      { onCallBack },
      {
        calls,
        transcripts: {
          [withRecording.id]: [
            { at: withRecording.startedAt, speaker: 'Caller', text: 'Hello there', final: true },
          ],
        },
      },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    const row = root.querySelector(`[aria-posinset="${calls.indexOf(withRecording) + 1}"]`)!
    const open = row.querySelector('.rl-history-open') as HTMLElement
    await user.click(open)
    expect(open.getAttribute('aria-expanded')).toBe('true')
    await screen.findByText('Hello there')
    const player = screen.getByRole('group', { name: 'Call recording' })
    expect(player.getAttribute('data-state')).toBe('paused')
    await user.click(within(player).getByRole('button', { name: 'Play recording' }))
    expect(player.getAttribute('data-state')).toBe('playing')
    await user.click(within(player).getByRole('button', { name: 'Pause recording' }))
    expect(player.getAttribute('data-state')).toBe('paused')
    const seek = within(player).getByRole('slider', { name: 'Seek' })
    fireEvent.change(seek, { target: { value: '3' } })
    expect(seek.getAttribute('aria-valuetext')).toMatch(/^0:03 of/)
    expect(within(player).getByRole('link', { name: 'Download' }).getAttribute('href')).toBe(
      withRecording.recordingUrl,
    )
    await expectNoAxeViolations(container)
    const number = withRecording.direction === 'outbound' ? withRecording.toNumber : withRecording.fromNumber
    const callBack = within(row as HTMLElement).getByRole('button', { name: /^Call back/ })
    await user.click(callBack)
    expect(onCallBack).toHaveBeenCalledWith(number, withRecording)
  })

  it('lists the recorded participants in the details, with a muted marker only on the one last seen muted', async () => {
    const user = userEvent.setup()
    const calls = generateFakeCalls(3)
    const call = calls[0]!
    const { root, container } = setup(
      {},
      {
        calls,
        participants: {
          [call.id]: [
            mutedAda({ leftAt: '2026-11-20T10:02:05.000Z', durationSeconds: 125 }),
            {
              identity: 'sip_caller',
              kind: 'sip',
              name: null,
              joinedAt: '2026-11-20T10:00:01.000Z',
              leftAt: null,
              durationSeconds: 64,
              muted: false,
            },
            { identity: 'agent_x', kind: 'agent', name: 'Helper', joinedAt: null, leftAt: null, muted: null },
          ],
        },
      },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    await user.click(root.querySelector('[aria-posinset="1"] .rl-history-open') as HTMLElement)
    const list = await screen.findByRole('list', { name: 'Participants' })
    const [ada, caller, agent] = within(list).getAllByRole('listitem')
    expect(ada!.textContent).toContain('Ada')
    expect(ada!.textContent).toContain('Browser')
    expect(ada!.textContent).toContain('Present for 2:05')
    expect(within(ada!).getByRole('img', { name: 'Muted at last report' })).toBeTruthy()
    expect(ada!.querySelectorAll('time')[1]?.getAttribute('dateTime')).toBe('2026-11-20T10:02:05.000Z')
    expect(caller!.textContent).toContain('sip_caller')
    expect(caller!.textContent).toContain('Phone')
    expect(caller!.textContent).toContain('Present for 1:04')
    expect(within(caller!).queryByRole('img', { name: 'Muted at last report' })).toBeNull()
    expect(agent!.textContent).toContain('Never joined')
    expect(within(agent!).queryByRole('img', { name: 'Muted at last report' })).toBeNull()
    await expectNoAxeViolations(container)
  })

  it('shows the participants in German with the German locale', async () => {
    const user = userEvent.setup()
    const calls = generateFakeCalls(1)
    const call = calls[0]!
    const api = createFakeApi({
      calls,
      participants: {
        [call.id]: [mutedAda({ leftAt: null, durationSeconds: 5 })],
      },
    })
    const { client, server } = createTestClient()
    serveFakeApi(server, api)
    render(
      <RinglineProvider client={client} messages={de}>
        <CallHistory timeZone="UTC" locale="de-DE" />
      </RinglineProvider>,
    )
    const root = screen.getByRole('region', { name: 'Anrufverlauf' })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    await user.click(root.querySelector('[aria-posinset="1"] .rl-history-open') as HTMLElement)
    const list = await screen.findByRole('list', { name: 'Teilnehmer' })
    expect(within(list).getByRole('img', { name: 'Zuletzt stummgeschaltet' })).toBeTruthy()
    expect(list.textContent).toContain('Anwesend für 0:05')
  })

  it('applies live call events and takes labels', async () => {
    const calls = generateFakeCalls(5)
    const { server, root } = setup({ labels: { statuses: { busy: 'Occupé' } } }, { calls }, { events: true })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    await waitFor(() => expect(server.openStreams()).toHaveLength(1))
    const rows = () => within(screen.getByRole('list', { name: 'Calls' })).getAllByRole('listitem')
    await act(async () => {
      server.push(makeEvent('call.updated', { ...calls[0]!, status: 'busy' }))
      await flush()
    })
    await waitFor(() => expect(rows()[0]!.getAttribute('data-status')).toBe('busy'))
    expect(rows()[0]!.textContent).toContain('Occupé')
    await act(async () => {
      server.push(makeEvent('call.incoming', { ...calls[1]!, id: 'new', status: 'ringing' }))
      await flush()
    })
    await waitFor(() => expect(rows()[0]!.getAttribute('data-status')).toBe('ringing'))
  })

  it('rendered alone, follows the client’s live /events: a new call appears and an update replaces its row', async () => {
    const calls = generateFakeCalls(3)
    const { root, server } = setup({}, { calls }, { events: true })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ready'))
    // The history is the client's only user: it must still open the client's event stream.
    await waitFor(() => expect(server.openStreams()).toHaveLength(1))
    const inbound = makeRecord({
      id: 'call_live',
      direction: 'inbound',
      status: 'ringing',
      fromNumber: '+14155550177',
      toNumber: '+14155550100',
    })
    await act(async () => {
      server.push(makeEvent('call.incoming', inbound))
      await flush()
    })
    const rows = () => within(screen.getByRole('list', { name: 'Calls' })).getAllByRole('listitem')
    await waitFor(() => expect(rows()).toHaveLength(4))
    expect(rows()[0]?.getAttribute('data-status')).toBe('ringing')
    await act(async () => {
      server.push(makeEvent('call.updated', { ...inbound, status: 'missed', endReason: 'missed' }))
      await flush()
    })
    await waitFor(() => expect(rows()[0]?.getAttribute('data-status')).toBe('missed'))
    expect(rows()).toHaveLength(4)
  })
})
