'use client'
import { type FormEvent, type HTMLAttributes, useId, useState } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { cx } from '../internal/cx'
import { useErrorText, useLabels } from '../messages'
import { useRingline } from '../RinglineProvider'
import type { CallClientLike } from '../types'

/** What a LiveKit agent says it is doing. */
export type AgentPresenceState = 'initializing' | 'idle' | 'listening' | 'thinking' | 'speaking' | 'unknown'

/** Every text of AgentPresence. */
export interface AgentPresenceLabels {
  region: string
  states: Record<AgentPresenceState, string>
  invite: string
  agentName: string
  inviting: string
  invited: (name: string) => string
  inviteFailed: (message: string) => string
}

/** Default English texts of AgentPresence. */
export const agentPresenceLabels: AgentPresenceLabels = {
  region: 'AI agents on this call',
  states: {
    initializing: 'joining',
    idle: 'idle',
    listening: 'listening',
    thinking: 'thinking',
    speaking: 'speaking',
    unknown: 'present',
  },
  invite: 'Invite agent',
  agentName: 'Agent',
  inviting: 'Inviting…',
  invited: (name) => `${name} was invited.`,
  inviteFailed: (message) => `The agent could not be invited: ${message}`,
}

/** Props of {@link AgentPresence}. */
export interface AgentPresenceProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Agent names offered by the "invite agent" action; none hides it. */
  agents?: readonly string[]
  /** Text overrides. */
  labels?: Partial<AgentPresenceLabels>
}

/** The AI agents in the active call with what each is doing, and an action to invite one. */
export function AgentPresence({
  client,
  agents: offered = [],
  labels: labelsProp,
  className,
  ...rest
}: AgentPresenceProps) {
  const labels = useLabels('agentPresence', agentPresenceLabels, labelsProp)
  const errorText = useErrorText()
  const resolved = useRingline(client)
  const { call, isLive } = useActiveCall({ client })
  const [choice, setChoice] = useState(offered[0] ?? '')
  const [invite, setInvite] = useState<{ state: 'idle' | 'pending' | 'done' | 'failed'; message: string }>({
    state: 'idle',
    message: '',
  })
  const id = useId()
  const present = call?.agents ?? []
  const canInvite = offered.length > 0 && isLive && !!call?.id && typeof resolved.inviteAgent === 'function'
  if (present.length === 0 && !canInvite) return null

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const name = choice || offered[0]
    if (!name || !resolved.inviteAgent) return
    setInvite({ state: 'pending', message: labels.inviting })
    Promise.resolve(resolved.inviteAgent(name)).then(
      () => setInvite({ state: 'done', message: labels.invited(name) }),
      (error: unknown) =>
        setInvite({
          state: 'failed',
          message: labels.inviteFailed(
            errorText(error instanceof Error ? error : { message: String(error) }),
          ),
        }),
    )
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: a status group with an optional form inside, not a form itself
    <div
      role="group"
      aria-label={labels.region}
      className={cx('rl-agent-presence', className)}
      data-state={present.length > 0 ? 'present' : 'absent'}
      {...rest}
    >
      {present.length > 0 ? (
        <ul className="rl-agent-list">
          {present.map((agent) => (
            <li key={agent.identity} className="rl-agent" data-state={agent.state}>
              <span className="rl-agent-dot" aria-hidden="true" />
              <span className="rl-agent-name">{agent.name ?? agent.identity}</span>{' '}
              <span className="rl-agent-state">{labels.states[agent.state]}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {canInvite ? (
        <form className="rl-agent-invite" onSubmit={submit} data-state={invite.state}>
          {offered.length > 1 ? (
            <>
              <label htmlFor={`${id}-agent`}>{labels.agentName}</label>
              <select
                id={`${id}-agent`}
                className="rl-select"
                value={choice}
                onChange={(e) => setChoice(e.currentTarget.value)}
              >
                {offered.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <button type="submit" className="rl-button" disabled={invite.state === 'pending'}>
            {offered.length === 1 ? `${labels.invite}: ${offered[0]}` : labels.invite}
          </button>
          <p className="rl-agent-invite-status" role="status">
            {invite.message}
          </p>
        </form>
      ) : null}
    </div>
  )
}
