import { AgentDispatchClient, RoomServiceClient, SipClient, WebhookReceiver } from 'livekit-server-sdk'
import { type ResolvedConfig, requireLivekit } from './config'

/** The LiveKit server APIs Ringline uses, built once from the configuration. */
export interface LivekitClients {
  url: string
  apiKey: string
  apiSecret: string
  room: RoomServiceClient
  sip: SipClient
  agents: AgentDispatchClient
  receiver: WebhookReceiver
}

/** A lazy accessor for the LiveKit clients; throws `NOT_CONFIGURED` (naming the variables) while settings are missing. */
export function livekitAccessor(config: ResolvedConfig): () => LivekitClients {
  let clients: LivekitClients | undefined
  return () => {
    if (clients) return clients
    const { url, apiKey, apiSecret } = requireLivekit(config)
    clients = {
      url,
      apiKey,
      apiSecret,
      room: new RoomServiceClient(url, apiKey, apiSecret),
      sip: new SipClient(url, apiKey, apiSecret),
      agents: new AgentDispatchClient(url, apiKey, apiSecret),
      receiver: new WebhookReceiver(apiKey, apiSecret),
    }
    return clients
  }
}

/** True for a LiveKit "not found" answer (e.g. deleting a room that is already gone). */
export function isNotFound(error: unknown): boolean {
  const e = error as { status?: number; code?: string } | null
  return e?.status === 404 || e?.code === 'not_found'
}
