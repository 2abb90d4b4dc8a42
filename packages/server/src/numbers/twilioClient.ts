import twilio from 'twilio'
import { parseRetryAfter, TwilioApiError, TwilioTransportError } from './twilioErrors'

/** The three values that reach a customer's Twilio account. */
export interface TwilioCredentials {
  accountSid: string
  apiKeySid: string
  apiKeySecret: string
}

/** Options of {@link createTwilioRestClient}. */
export interface TwilioRestClientOptions {
  edge?: string
  region?: string
  /** Request timeout in ms (default 15 000). */
  timeout?: number
}

/** The `twilio` client type. */
export type TwilioRestClient = twilio.Twilio

interface RequestOpts {
  method: string
  uri: string
  [key: string]: unknown
}
interface RawResponse {
  statusCode: number
  body: unknown
  headers: Record<string, unknown>
}

function where(uri: string): { host: string; path: string } {
  try {
    const u = new URL(uri)
    return { host: u.hostname, path: u.pathname }
  } catch {
    return { host: '', path: '' }
  }
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined
  const direct = headers[name] ?? headers[name.toLowerCase()]
  if (typeof direct === 'string') return direct
  // axios may hand us an AxiosHeaders instance.
  const get = (headers as { get?: (n: string) => unknown }).get
  const v = typeof get === 'function' ? get.call(headers, name) : undefined
  return typeof v === 'string' ? v : undefined
}

/**
 * Wraps twilio's RequestClient so failures keep what the SDK drops (Retry-After, Twilio-Request-Id)
 * and transport errors lose the request config (which holds the Authorization header).
 */
class RinglineHttpClient {
  private readonly inner: twilio.RequestClient
  constructor(timeout: number) {
    this.inner = new twilio.RequestClient({ keepAlive: true, timeout })
  }

  async request(opts: RequestOpts): Promise<RawResponse> {
    const { host, path } = where(opts.uri)
    const method = String(opts.method).toUpperCase()
    let res: RawResponse
    try {
      // Debug logging of the SDK is switched off here: request logs are not ours to leak.
      res = (await this.inner.request({ ...opts, logLevel: undefined } as never)) as unknown as RawResponse
    } catch (error) {
      const errno =
        error && typeof error === 'object' && 'code' in error && typeof error.code === 'string'
          ? error.code
          : undefined
      throw new TwilioTransportError({ errno, method, host, path })
    }
    if (res.statusCode >= 400) {
      let body: {
        code?: unknown
        message?: unknown
        more_info?: unknown
        detail?: unknown
        title?: unknown
      } | null = null
      try {
        body = typeof res.body === 'string' ? JSON.parse(res.body) : (res.body as typeof body)
      } catch {
        body = null
      }
      const message =
        typeof body?.message === 'string'
          ? body.message
          : typeof body?.detail === 'string'
            ? body.detail
            : typeof body?.title === 'string'
              ? body.title
              : undefined
      throw new TwilioApiError({
        status: res.statusCode,
        code: typeof body?.code === 'number' ? body.code : undefined,
        message,
        moreInfo: typeof body?.more_info === 'string' ? body.more_info : undefined,
        retryAfterMs: parseRetryAfter(header(res.headers, 'Retry-After')),
        twilioRequestId: header(res.headers, 'Twilio-Request-Id'),
        method,
        host,
        path,
      })
    }
    return res
  }
}

/**
 * A `twilio` client authenticated with an API key of the account, whose errors carry Retry-After and
 * never the secret. Only `TWILIO_EDGE`/`TWILIO_REGION` env fallbacks of the SDK still apply.
 */
export function createTwilioRestClient(
  credentials: TwilioCredentials,
  options: TwilioRestClientOptions = {},
): TwilioRestClient {
  return twilio(credentials.apiKeySid, credentials.apiKeySecret, {
    accountSid: credentials.accountSid,
    edge: options.edge,
    region: options.region,
    httpClient: new RinglineHttpClient(options.timeout ?? 15_000) as unknown as twilio.RequestClient,
  })
}
