import { describe, expect, it } from 'vitest'
import { agentPolicyFromRouting, decideAgentDispatch } from './agentPolicy'
import { createAgentScheduler } from './agentScheduler'
import type { AgentCallFacts, AgentRoutingPolicy } from './types'

const t0 = new Date('2026-01-01T10:00:00Z')
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000)
const ringing: AgentCallFacts = {
  callId: 'c1',
  roomName: 'in-t_1',
  direction: 'inbound',
  status: 'ringing',
  startedAt: t0.toISOString(),
  answeredAt: null,
  endedAt: null,
}
const first: AgentRoutingPolicy = { mode: 'agent-first', agentName: 'receptionist', metadata: '{"x":1}' }
const noAnswer: AgentRoutingPolicy = {
  mode: 'agent-on-no-answer',
  agentName: 'receptionist',
  afterSeconds: 20,
}

describe('decideAgentDispatch', () => {
  it('agent-first dispatches an inbound call as it rings, and nothing else', () => {
    expect(decideAgentDispatch(first, ringing, 'ringing', t0)).toEqual({
      action: 'dispatch',
      agentName: 'receptionist',
      metadata: '{"x":1}',
      trigger: 'agent-first',
    })
    expect(decideAgentDispatch(first, { ...ringing, direction: 'outbound' }, 'ringing', t0).action).toBe(
      'none',
    )
    expect(
      decideAgentDispatch(
        first,
        { ...ringing, status: 'in-progress', answeredAt: at(3).toISOString() },
        'ringing',
        t0,
      ).action,
    ).toBe('none')
    expect(
      decideAgentDispatch(first, { ...ringing, endedAt: at(1).toISOString() }, 'ringing', t0).action,
    ).toBe('cancel')
    expect(decideAgentDispatch({ mode: 'none' }, ringing, 'ringing', t0).action).toBe('none')
  })

  it('agent-on-no-answer schedules, then dispatches only if nobody answered', () => {
    expect(decideAgentDispatch(noAnswer, ringing, 'ringing', at(2))).toEqual({
      action: 'schedule',
      at: at(20),
      agentName: 'receptionist',
    })
    expect(decideAgentDispatch(noAnswer, ringing, 'timer', at(19.5)).action).toBe('schedule')
    expect(decideAgentDispatch(noAnswer, ringing, 'timer', at(20))).toMatchObject({
      action: 'dispatch',
      trigger: 'agent-on-no-answer',
    })
    const answered = { ...ringing, status: 'in-progress' as const, answeredAt: at(5).toISOString() }
    expect(decideAgentDispatch(noAnswer, answered, 'timer', at(20)).action).toBe('cancel')
    expect(decideAgentDispatch(noAnswer, ringing, 'answered', at(5)).action).toBe('cancel')
    // Everyone declined: the call would be missed, so the agent takes it now.
    expect(decideAgentDispatch(noAnswer, ringing, 'declined-by-all', at(4)).action).toBe('dispatch')
    // A server that comes back late dispatches at once.
    expect(decideAgentDispatch(noAnswer, ringing, 'ringing', at(25)).action).toBe('dispatch')
  })

  it('reads the policy from a number routing policy', () => {
    expect(agentPolicyFromRouting({ policy: 'ring-all', agent: noAnswer })).toEqual(noAnswer)
    expect(agentPolicyFromRouting({ policy: 'ring-all' })).toBeUndefined()
    expect(
      agentPolicyFromRouting({ agent: { mode: 'agent-on-no-answer', agentName: 'x', afterSeconds: 0 } }),
    ).toBeUndefined()
    expect(agentPolicyFromRouting(null)).toBeUndefined()
  })
})

describe('createAgentScheduler', () => {
  function setup(policy: AgentRoutingPolicy) {
    let now = t0
    let facts: AgentCallFacts | null = { ...ringing }
    const timers: { fn: () => void; ms: number; cleared: boolean }[] = []
    const dispatched: unknown[] = []
    const scheduler = createAgentScheduler({
      getCall: async () => facts,
      getPolicy: () => policy,
      dispatch: async (input) => {
        dispatched.push(input)
      },
      now: () => now,
      setTimer: (fn, ms) => {
        const timer = { fn, ms, cleared: false }
        timers.push(timer)
        return timer
      },
      clearTimer: (handle) => {
        ;(handle as { cleared: boolean }).cleared = true
      },
    })
    return {
      scheduler,
      timers,
      dispatched,
      advance(seconds: number) {
        now = at(seconds)
      },
      update(patch: Partial<AgentCallFacts>) {
        facts = facts && { ...facts, ...patch }
      },
    }
  }

  it('fires the no-answer timer and dispatches with the current facts', async () => {
    const s = setup(noAnswer)
    s.advance(1)
    expect((await s.scheduler.onCallEvent('c1', 'ringing')).action).toBe('schedule')
    expect(s.timers).toHaveLength(1)
    expect(s.timers[0]?.ms).toBe(19_000)
    expect(s.scheduler.scheduled()).toEqual(['c1'])
    s.advance(20)
    s.timers[0]?.fn()
    await new Promise((r) => setTimeout(r, 0))
    expect(s.dispatched).toEqual([
      { callId: 'c1', roomName: 'in-t_1', agentName: 'receptionist', trigger: 'agent-on-no-answer' },
    ])
    expect(s.scheduler.scheduled()).toEqual([])
  })

  it('cancels the timer when a human answers', async () => {
    const s = setup(noAnswer)
    await s.scheduler.onCallEvent('c1', 'ringing')
    s.update({ status: 'in-progress', answeredAt: at(3).toISOString() })
    s.advance(3)
    expect((await s.scheduler.onCallEvent('c1', 'answered')).action).toBe('cancel')
    expect(s.timers[0]?.cleared).toBe(true)
    expect(s.scheduler.scheduled()).toEqual([])
    expect(s.dispatched).toEqual([])
  })

  it('does not dispatch when the timer finds the call answered (another server saw the answer)', async () => {
    const s = setup(noAnswer)
    await s.scheduler.onCallEvent('c1', 'ringing')
    s.update({ status: 'in-progress', answeredAt: at(3).toISOString() })
    s.advance(20)
    s.timers[0]?.fn()
    await new Promise((r) => setTimeout(r, 0))
    expect(s.dispatched).toEqual([])
  })
})
