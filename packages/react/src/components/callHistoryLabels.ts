import type { CallDirection, CallParticipant, CallStatus } from '@ringline/core/protocol'
import type { RecordingPlayerLabels } from './RecordingPlayer'

/** Every text of CallHistory. */
export interface CallHistoryLabels {
  region: string
  stats: string
  total: string
  answerRate: string
  averageDuration: string
  missed: string
  filters: string
  direction: string
  allDirections: string
  directions: Record<CallDirection, string>
  status: string
  allStatuses: string
  statuses: Record<CallStatus, string>
  roomKind: string
  allRoomKinds: string
  /** Display names of room kinds (`support` → "Support"); a kind without one shows its name. */
  roomKindNames: Partial<Record<string, string>>
  search: string
  searchPlaceholder: string
  list: string
  loading: string
  empty: string
  emptyFiltered: string
  clearFilters: string
  error: string
  retry: string
  loadMore: string
  loadingMore: string
  answeredBy: (who: string) => string
  /** The badge of a call whose phone side was transferred (its status stays `completed`). */
  transferred: string
  callBack: (who: string) => string
  details: string
  transcript: string
  transcriptLoading: string
  transcriptEmpty: string
  detailError: string
  noRecording: string
  unknownNumber: string
  duration: string
  startedAt: string
  close: string
  /** Title of the recorded participants' list in the details. */
  participants: string
  /** Kind of each participant (a browser user, a phone, an AI agent, anything else). */
  participantKinds: Record<CallParticipant['kind'], string>
  /** Before the time a participant joined. */
  joinedAt: string
  /** Before the time a participant left. */
  leftAt: string
  /** A participant that was invited but never joined. */
  neverJoined: string
  /** Accessible name of a participant's time present, e.g. "Present for 2:05". */
  presentFor: (duration: string) => string
  /** Accessible name of the marker of a participant whose microphone was last seen muted. */
  participantMuted: string
  recording?: Partial<RecordingPlayerLabels>
}

/** Default English texts of CallHistory. */
export const callHistoryLabels: CallHistoryLabels = {
  region: 'Call history',
  stats: 'Call statistics',
  total: 'Calls',
  answerRate: 'Answered',
  averageDuration: 'Average length',
  missed: 'Missed',
  filters: 'Filter calls',
  direction: 'Direction',
  allDirections: 'All directions',
  directions: { inbound: 'Incoming', outbound: 'Outgoing', internal: 'Team room' },
  status: 'Status',
  allStatuses: 'All statuses',
  roomKind: 'Room kind',
  allRoomKinds: 'All kinds',
  roomKindNames: {},
  statuses: {
    initiated: 'Started',
    ringing: 'Ringing',
    'in-progress': 'In progress',
    completed: 'Completed',
    busy: 'Busy',
    'no-answer': 'No answer',
    canceled: 'Canceled',
    failed: 'Failed',
    declined: 'Declined',
    missed: 'Missed',
  },
  search: 'Search numbers',
  searchPlaceholder: 'Search numbers',
  list: 'Calls',
  loading: 'Loading calls…',
  empty: 'No calls yet. Calls you make and receive show up here.',
  emptyFiltered: 'No calls match these filters.',
  clearFilters: 'Clear filters',
  error: 'The call history could not be loaded.',
  retry: 'Try again',
  loadMore: 'Load more calls',
  loadingMore: 'Loading more…',
  answeredBy: (who) => `Answered by ${who}`,
  transferred: 'Transferred',
  callBack: (who) => `Call back ${who}`,
  details: 'Call details',
  transcript: 'Transcript',
  transcriptLoading: 'Loading transcript…',
  transcriptEmpty: 'No transcript for this call.',
  detailError: 'Details could not be loaded.',
  noRecording: 'No recording for this call.',
  unknownNumber: 'Unknown number',
  duration: 'Duration',
  startedAt: 'Started',
  close: 'Close details',
  participants: 'Participants',
  participantKinds: { user: 'Browser', sip: 'Phone', agent: 'Agent', other: 'Other' },
  joinedAt: 'Joined',
  leftAt: 'Left',
  neverJoined: 'Never joined',
  presentFor: (duration) => `Present for ${duration}`,
  participantMuted: 'Muted at last report',
}
