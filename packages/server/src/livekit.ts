import { createHash } from 'node:crypto'
import {
  AgentDispatchClient,
  RoomServiceClient,
  SipClient,
  TokenVerifier,
  WebhookEvent,
  WebhookReceiver,
} from 'livekit-server-sdk'
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

/**
 * `WebhookReceiver` with the body's SHA-256 taken synchronously (node:crypto) rather than through WebCrypto, which
 * costs more than the rest of a webhook; the checks are the SDK's own: the JWT (signature, issuer = API key, `exp`
 * required, clock tolerance) by its `TokenVerifier`, then the body's hash against the token's `sha256` claim.
 */
export class NodeWebhookReceiver extends WebhookReceiver {
  private readonly tokens: TokenVerifier

  constructor(apiKey: string, apiSecret: string) {
    super(apiKey, apiSecret)
    this.tokens = new TokenVerifier(apiKey, apiSecret)
  }

  /** Verifies `authHeader` against `body` (unless `skipAuth`) and parses the event, as `WebhookReceiver.receive`. */
  override async receive(
    body: string,
    authHeader?: string,
    skipAuth = false,
    clockTolerance?: string | number,
  ): Promise<WebhookEvent> {
    if (!skipAuth) {
      if (!authHeader) throw new Error('authorization header is empty')
      const claims = await this.tokens.verify(authHeader, clockTolerance)
      if (claims.sha256 !== createHash('sha256').update(body, 'utf8').digest('base64'))
        throw new Error('sha256 checksum of body does not match')
    }
    return WebhookEvent.fromJson(JSON.parse(body), { ignoreUnknownFields: true })
  }
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
      receiver: new NodeWebhookReceiver(apiKey, apiSecret),
    }
    return clients
  }
}

/** True for a LiveKit "not found" answer (e.g. deleting a room that is already gone). */
export function isNotFound(error: unknown): boolean {
  const e = error as { status?: number; code?: string } | null
  return e?.status === 404 || e?.code === 'not_found'
}
