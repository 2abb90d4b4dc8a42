'use client'
import { type FormEvent, useId, useState } from 'react'
import { cx } from '../internal/cx'
import type { BodyProps } from '../internal/lazyBody'
import type { AgentPresenceLabels, AgentPresenceProps, AgentPresenceShared } from './AgentPresence'

let shared: AgentPresenceShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadAgentPresenceBody(given: AgentPresenceShared): typeof AgentPresenceBody {
  shared = given
  return AgentPresenceBody
}

/** The body of {@link AgentPresence}, loaded with import() once there is something to show (or a call is live). */
export function AgentPresenceBody({
  client,
  agents: offered = [],
  labels,
  className,
  ...rest
}: BodyProps<AgentPresenceProps, AgentPresenceLabels>) {
  const errorText = shared.useErrorText()
  const resolved = shared.useRingline(client)
  const { call, isLive } = shared.useActiveCall({ client })
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
