import type { CallDetail, CallParticipant } from '@ringline/core/protocol'
import type { AgentDispatchRecord } from '../agents/types'
import type { RecordingState } from '../recording/types'
import type { StoredCall } from './callRow'

type TimelineEntry = NonNullable<CallDetail['timeline']>[number]

/** The events of a call in time order, from what the server recorded. */
export function callTimeline(
  call: StoredCall,
  participants: CallParticipant[],
  recording: RecordingState | null,
  agents: AgentDispatchRecord[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: call.startedAt, type: 'started', detail: call.direction }]
  if (call.answeredAt) entries.push({ at: call.answeredAt, type: 'answered', detail: call.answeredBy })
  for (const p of participants) {
    if (p.joinedAt) entries.push({ at: p.joinedAt, type: 'participant.joined', detail: p.name ?? p.identity })
    if (p.leftAt) entries.push({ at: p.leftAt, type: 'participant.left', detail: p.name ?? p.identity })
  }
  for (const a of agents) {
    entries.push({ at: a.createdAt, type: `agent.${a.state}`, detail: a.agentName })
  }
  if (recording) {
    entries.push({
      at: recording.startedAt ?? recording.requestedAt,
      type: 'recording.started',
      detail: null,
    })
    if (recording.endedAt) {
      entries.push({
        at: recording.endedAt,
        type: recording.status === 'failed' ? 'recording.failed' : 'recording.ended',
        detail: recording.status === 'failed' ? recording.error : null,
      })
    }
  }
  if (call.transfer) {
    entries.push({
      at: call.transfer.at,
      type: `transferred.${call.transfer.kind}`,
      detail: call.transfer.to,
    })
  }
  if (call.endedAt) entries.push({ at: call.endedAt, type: 'ended', detail: call.endReason })
  return entries.sort((a, b) => a.at.localeCompare(b.at))
}
