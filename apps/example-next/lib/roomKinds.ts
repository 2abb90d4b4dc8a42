/** The agent a `support` room dispatches (env `RINGLINE_SUPPORT_AGENT`, default `support-agent`). */
export function supportAgentName(): string {
  return process.env.RINGLINE_SUPPORT_AGENT ?? 'support-agent'
}

/** The browser-room kinds this app configures (`rooms.kinds`), for History's kind filter. */
export const ROOM_KINDS = ['support'] as const
