'use client'
import { type HTMLAttributes, useEffect } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
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

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = { useActiveCall, useErrorText, useRingline }
/** What {@link AgentPresence}'s body gets from its shell. Internal. */
export type AgentPresenceShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./AgentPresenceBody').then((m) => m.loadAgentPresenceBody(shared)),
)

/**
 * The AI agents in the active call with what each is doing, and an action to invite one. Renders nothing while no
 * agent is there and none can be invited; its body loads once a call is live (a busy placeholder if an agent shows
 * before); `AgentPresence.preload()` fetches it ahead.
 */
export const AgentPresence = /* @__PURE__ */ withPreload(function AgentPresence(props: AgentPresenceProps) {
  const { client, agents: offered = [] } = props
  const labels = useLabels('agentPresence', agentPresenceLabels, props.labels)
  const resolved = useRingline(client)
  const { call, isLive } = useActiveCall({ client })
  // Fetch the body once a call is live (off the answer and dial path), so it is there when an agent joins.
  useEffect(() => {
    if (isLive) body.preload().catch(() => {})
  }, [isLive])
  const canInvite = offered.length > 0 && isLive && !!call?.id && typeof resolved.inviteAgent === 'function'
  // Nothing to show (the body's own rule): render nothing rather than a placeholder.
  if ((call?.agents ?? []).length === 0 && !canInvite) return null
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="div"
      role="group"
      rootClass="rl-agent-presence"
      className={props.className}
      label={labels.region}
      style={props.style}
    />,
  )
}, body)
