import { CallHistory } from '@ringline/react'
import { createFakeApi, generateFakeCalls } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { demoRecordingUrl, LONG_NAME, ringlineHandlers, storyClient, WithClient } from '../support'

/** Demo calls with playable recordings (a generated tone, no network). */
function demoCalls(count: number) {
  const url = typeof btoa === 'function' ? demoRecordingUrl() : null
  return generateFakeCalls(count).map((c) => (c.recordingUrl && url ? { ...c, recordingUrl: url } : c))
}

const transcriptFor = (calls: ReturnType<typeof demoCalls>) => {
  const call = calls.find((c) => c.recordingUrl && c.direction !== 'internal')
  return call
    ? {
        [call.id]: [
          {
            at: call.startedAt,
            speaker: 'Caller',
            text: 'Hi, I am calling about the booking for Saturday.',
            final: true,
          },
          { at: call.startedAt, speaker: 'Ada', text: 'Sure, let me pull it up.', final: true },
          { at: call.startedAt, speaker: 'Caller', text: 'Thanks, it is under…', final: false },
        ],
      }
    : {}
}

const meta = {
  title: 'Components/CallHistory',
  component: CallHistory,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => CallHistory.preload()],
  args: { onCallBack: () => {}, listHeight: 420 },
  render: (args) => (
    <WithClient client={() => storyClient()}>
      <CallHistory {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof CallHistory>

export default meta
type Story = StoryObj<typeof meta>

const calls200 = demoCalls(200)

/** Stats, filters and the list; click a row for details. */
export const Default: Story = {
  parameters: {
    msw: { handlers: ringlineHandlers({ calls: calls200, transcripts: transcriptFor(calls200) }) },
  },
  play: async ({ canvasElement }) => {
    await waitForRow(canvasElement, 8)
    // Columns line up from row to row whatever each row's time or duration reads (in a laid-out browser).
    const starts = new Set(
      [...canvasElement.querySelectorAll('.rl-history-duration')].map((el) =>
        Math.round(el.getBoundingClientRect().left),
      ),
    )
    const ends = new Set(
      [...canvasElement.querySelectorAll('.rl-history-time')].map((el) =>
        Math.round(el.getBoundingClientRect().right),
      ),
    )
    await expect([starts.size, ends.size]).toEqual([1, 1])
  },
}

/** Browser rooms of the `support` kind among the calls, with their recordings. */
const withSupportRooms = (() => {
  const base = demoCalls(60)
  return base.map((c, i) => (c.direction === 'internal' && i % 2 === 0 ? { ...c, roomKind: 'support' } : c))
})()

/** The room-kind filter (`roomKinds`), set to `support`: only those browser rooms are listed (`GET /calls?roomKind=support`). */
export const RoomKindFilter: Story = {
  args: {
    roomKinds: ['support', 'sales'],
    labels: { roomKindNames: { support: 'Support', sales: 'Sales' } },
  },
  parameters: { msw: { handlers: ringlineHandlers({ calls: withSupportRooms }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.selectOptions(await canvas.findByLabelText('Room kind'), 'support')
    // The list keeps the unfiltered rows until the filtered page arrives: wait for it, then every row is a room.
    await waitFor(
      async () => {
        const rows = within(await canvas.findByRole('list', { name: 'Calls' })).getAllByRole('listitem')
        for (const row of rows) await expect(row).toHaveAttribute('data-direction', 'internal')
      },
      { timeout: 10_000 },
    )
  },
}

/** 10,000 calls, paged 200 at a time, only visible rows in the DOM. */
export const TenThousandCalls: Story = {
  args: { pageSize: 200 },
  parameters: { msw: { handlers: ringlineHandlers({ calls: demoCalls(10_000) }) } },
}

/** Details open: recording player and transcript. */
export const WithDetails: Story = {
  parameters: {
    msw: { handlers: ringlineHandlers({ calls: calls200, transcripts: transcriptFor(calls200) }) },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const target = calls200.find((c) => c.recordingUrl && c.direction !== 'internal')!
    const row = await waitForRow(canvasElement, calls200.indexOf(target) + 1)
    await userEvent.click(row.querySelector('.rl-history-open') as HTMLElement)
    await expect(await canvas.findByRole('group', { name: 'Call recording' })).toBeInTheDocument()
  },
}

const participantCalls = demoCalls(20)
const participantCall = participantCalls.find((c) => c.direction === 'inbound') ?? participantCalls[0]!

/** Details with the recorded participants: Ada left muted (the muted-mic marker), the caller was not muted. */
export const ParticipantsWithMuteState: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        calls: participantCalls,
        participants: {
          [participantCall.id]: [
            {
              identity: 'user_ada',
              kind: 'user',
              name: 'Ada Lovelace',
              joinedAt: participantCall.startedAt,
              leftAt: participantCall.endedAt ?? null,
              durationSeconds: participantCall.durationSeconds ?? 95,
              muted: true,
            },
            {
              identity: 'sip_+14155550123',
              kind: 'sip',
              name: participantCall.fromNumber,
              joinedAt: participantCall.startedAt,
              leftAt: participantCall.endedAt ?? null,
              durationSeconds: participantCall.durationSeconds ?? 95,
              muted: false,
            },
          ],
        },
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const row = await waitForRow(canvasElement, participantCalls.indexOf(participantCall) + 1)
    await userEvent.click(row.querySelector('.rl-history-open') as HTMLElement)
    const list = await canvas.findByRole('list', { name: 'Participants' })
    const [ada, caller] = within(list).getAllByRole('listitem')
    await expect(within(ada!).getByRole('img', { name: 'Muted at last report' })).toBeInTheDocument()
    await expect(within(caller!).queryByRole('img', { name: 'Muted at last report' })).toBeNull()
  },
}

async function waitForRow(root: HTMLElement, position: number): Promise<HTMLElement> {
  for (let i = 0; i < 100; i++) {
    const row = root.querySelector<HTMLElement>(`[aria-posinset="${position}"]`)
    if (row) return row
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`row ${position} never rendered`)
}

/** Waiting for the first page: skeleton rows of the final height. */
export const Loading: Story = { parameters: { msw: { handlers: ringlineHandlers({}, { hang: ['calls'] }) } } }

export const Empty: Story = { parameters: { msw: { handlers: ringlineHandlers({ calls: [] }) } } }

/** Filters that match nothing. */
export const EmptyFiltered: Story = {
  args: { defaultFilters: { direction: 'inbound', status: 'declined', q: '999' } },
  parameters: { msw: { handlers: ringlineHandlers({ calls: calls200 }) } },
}

export const LoadError: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        calls: calls200,
        failures: {
          listCalls: { code: 'STORE_UNAVAILABLE', message: 'The database is not reachable.', status: 503 },
        },
      }),
    },
  },
}

/** Only missed calls, no stats header. */
export const MissedOnly: Story = {
  args: { defaultFilters: { status: 'missed' }, showStats: false },
  parameters: { msw: { handlers: ringlineHandlers({ calls: calls200 }) } },
}

export const LongNames: Story = {
  args: { resolveUser: () => LONG_NAME },
  parameters: { msw: { handlers: ringlineHandlers({ calls: calls200 }) } },
}

export const Labels: Story = {
  args: {
    labels: {
      total: 'Appels',
      answerRate: 'Décrochés',
      missed: 'Manqués',
      statuses: { completed: 'Terminé' },
    },
  },
  parameters: { msw: { handlers: ringlineHandlers({ calls: calls200 }) } },
}

export const RightToLeft: Story = {
  parameters: { dir: 'rtl', msw: { handlers: ringlineHandlers(createFakeApi({ calls: calls200 })) } },
}
