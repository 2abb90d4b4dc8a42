import type { Connection } from '@ringline/core/protocol'
import type { ResolvedConfig } from './config'
import type { EventHub } from './events/eventHub'
import type { RateLimiter } from './http/rateLimiter'
import type { LivekitClients } from './livekit'
import type { MediaServices } from './mediaServices'
import type { Redactor } from './redact'
import type { JoinSignals } from './rooms/joinSignals'
import type { RinglineStore } from './sql/types'
import type { Authorize, Logger, Principal } from './types'

/** Everything an operation needs: configuration, storage, events, LiveKit and logging. */
export interface RinglineContext {
  config: ResolvedConfig
  store: RinglineStore
  hub: EventHub
  /** Joins heard from LiveKit webhooks on this instance, for waits that would otherwise poll. */
  joins: JoinSignals
  logger: Logger
  redactor: Redactor
  authorize: Authorize
  /** LiveKit clients; throws `NOT_CONFIGURED` while settings are missing. */
  livekit(): LivekitClients
  /** A one-room browser token for the principal. */
  connect(principal: Principal, roomName: string): Promise<Connection>
  rateLimiter: RateLimiter
  /** Recording, agents and transcripts. */
  media: MediaServices
  /** Runs work after the response (dial outcomes, clean-ups); failures are logged, never thrown. */
  background(name: string, task: () => Promise<unknown>): void
  /** Runs `task` in the background after `delayMs` (an unref'd timer that `close()` cancels). */
  later(name: string, delayMs: number, task: () => Promise<unknown>): void
}
