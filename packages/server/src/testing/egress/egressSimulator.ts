import { createHash, randomBytes } from 'node:crypto'
// livekit-server-sdk's WebhookEvent subclass resets `event` to '' after construction: build with the protocol class.
import {
  FileInfo,
  ListEgressRequest,
  ListEgressResponse,
  StopEgressRequest,
  WebhookEvent,
} from '@livekit/protocol'
import {
  AccessToken,
  EgressInfo,
  EgressStatus,
  RoomCompositeEgressRequest,
  RoomServiceClient,
  type S3Upload,
  TokenVerifier,
} from 'livekit-server-sdk'
import { type HttpHandler, HttpResponse, http, passthrough } from 'msw'
import { signS3Request } from '../../recording/sigv4'

/** One egress the simulator runs. */
export interface SimulatedEgress {
  info: EgressInfo
  /** The S3 upload target of the request (with its credentials), if it asked for one. */
  s3: S3Upload | undefined
  filepath: string
}

/** One webhook the simulator sent (or tried to). */
export interface SimulatedWebhook {
  event: 'egress_started' | 'egress_updated' | 'egress_ended'
  egressId: string
  status: keyof typeof EgressStatus
  /** HTTP status of each attempt (0 for a network error). */
  attempts: number[]
  body: string
}

/** Options of `createEgressSimulator`. */
export interface EgressSimulatorOptions {
  /** Base URL the `EgressClient` talks to (`ws://` is accepted and treated as `http://`). */
  livekitUrl: string
  apiKey: string
  apiSecret: string
  /** Where to send signed `egress_*` webhooks: a URL, or a function receiving the `Request` (in-process handlers). */
  webhook?: string | ((request: Request) => Promise<Response>)
  /** Check that the room exists on the real server behind `livekitUrl` before starting (default true). */
  verifyRoom?: boolean
  /** Bytes of the simulated recording (default a short fake Ogg page). */
  fileBytes?: (egress: SimulatedEgress) => Uint8Array
  /** Simulated recording length in seconds (default: wall time between start and end). */
  durationSeconds?: number
  /** Delay between webhook retries in ms (default 50; LiveKit itself backs off from 1 s). */
  retryDelayMs?: number
  /** `fetch` used for webhooks and uploads (default global `fetch`). */
  fetch?: typeof fetch
}

/** An MSW stand-in for LiveKit's egress service: its Twirp endpoints, its uploads and its webhooks. */
export interface EgressSimulator {
  /** MSW handlers: `StartRoomCompositeEgress`, `StopEgress`, `ListEgress`; everything else under `livekitUrl` passes through. */
  handlers: HttpHandler[]
  egresses: Map<string, SimulatedEgress>
  webhooks: SimulatedWebhook[]
  /** Ends an egress as the service would when the room closes or after `StopEgress`: upload, then `egress_ended`. */
  complete(egressId: string): Promise<EgressInfo>
  /** Ends every active egress of a room (the room finished). */
  roomFinished(roomName: string): Promise<void>
  /** Fails an egress with an error message (`egress_ended` with `EGRESS_FAILED`). */
  fail(egressId: string, error: string): Promise<EgressInfo>
  /** Re-sends the last webhook of an egress with a fresh signature and the same event id (LiveKit's at-least-once). */
  replayLast(egressId: string): Promise<void>
  /** Resolves when every queued webhook and upload is done. */
  idle(): Promise<void>
}

const TWIRP_STATUS: Record<string, number> = {
  unauthenticated: 401,
  not_found: 404,
  invalid_argument: 400,
  malformed: 400,
  failed_precondition: 412,
  internal: 500,
}

class TwirpFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

function twirpError(code: string, msg: string): Response {
  return HttpResponse.json({ code, msg }, { status: TWIRP_STATUS[code] ?? 500 })
}

function id(prefix: string): string {
  return `${prefix}${randomBytes(9).toString('base64url')}`
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n

const FAKE_OGG = new Uint8Array([
  0x4f,
  0x67,
  0x67,
  0x53,
  0x00,
  0x02,
  ...new TextEncoder().encode('ringline-simulated-recording'),
])

/**
 * Simulates LiveKit egress over MSW: correct Twirp JSON (protojson names, enum names, int64 as strings), the
 * `roomRecord` grant check, an S3 upload signed with the request's own credentials, and signed webhooks sent the
 * way livekit-server sends them (bare JWT in `Authorization` with a `sha256` claim, `application/webhook+json`).
 */
export function createEgressSimulator(options: EgressSimulatorOptions): EgressSimulator {
  const base = options.livekitUrl.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init))
  const verifier = new TokenVerifier(options.apiKey, options.apiSecret)
  const rooms = new RoomServiceClient(base, options.apiKey, options.apiSecret)
  const egresses = new Map<string, SimulatedEgress>()
  const webhooks: SimulatedWebhook[] = []
  // LiveKit delivers the webhooks of one egress in order, one at a time.
  const queues = new Map<string, Promise<void>>()
  const pending = new Set<Promise<void>>()
  const lastEvent = new Map<string, { event: WebhookEvent; record: SimulatedWebhook }>()

  function enqueue(egressId: string, task: () => Promise<void>): Promise<void> {
    const next = (queues.get(egressId) ?? Promise.resolve()).then(task, task)
    queues.set(
      egressId,
      next.catch(() => {}),
    )
    return track(next)
  }

  // Answers exactly as livekit-server v1.13 does: a bad signature is a 401 text/plain naming the token, a missing
  // token or grant a 401 Twirp `unauthenticated` "permissions denied".
  async function authorize(request: Request): Promise<Response | null> {
    const header = request.headers.get('authorization') ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (!token) return twirpError('unauthenticated', 'permissions denied')
    let claims: Awaited<ReturnType<TokenVerifier['verify']>>
    try {
      claims = await verifier.verify(token)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      return new HttpResponse(`invalid token: ${token}, error: ${reason}`, {
        status: 401,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    }
    if (!claims.video?.roomRecord) return twirpError('unauthenticated', 'permissions denied')
    return null
  }

  async function deliver(event: WebhookEvent, record: SimulatedWebhook): Promise<void> {
    const target = options.webhook
    if (!target) return
    for (let attempt = 0; attempt < 5; attempt++) {
      const body = event.toJsonString()
      const token = new AccessToken(options.apiKey, options.apiSecret, { ttl: '5m' })
      token.sha256 = createHash('sha256').update(body, 'utf8').digest('base64')
      const request = new Request(
        typeof target === 'string' ? target : 'http://ringline.invalid/webhooks/livekit',
        {
          method: 'POST',
          headers: {
            authorization: await token.toJwt(),
            'content-type': 'application/webhook+json',
            'user-agent': 'LiveKit',
          },
          body,
        },
      )
      let status = 0
      try {
        status = (typeof target === 'string' ? await doFetch(request) : await target(request)).status
      } catch {
        status = 0
      }
      record.attempts.push(status)
      // go-retryablehttp: retry network errors, 429 and 5xx except 501; other statuses are final.
      if (status !== 0 && status !== 429 && (status < 500 || status === 501)) return
      await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 50))
    }
  }

  /** Queues a webhook carrying the egress as it is now. */
  function emit(egress: SimulatedEgress, name: SimulatedWebhook['event']): Promise<void> {
    const snapshot = egress.info.clone()
    return enqueue(snapshot.egressId, () => deliver(...makeEvent(snapshot, name)))
  }

  function makeEvent(info: EgressInfo, name: SimulatedWebhook['event']): [WebhookEvent, SimulatedWebhook] {
    const event = new WebhookEvent({
      event: name,
      egressInfo: info,
      id: id('EV_'),
      createdAt: BigInt(Math.floor(Date.now() / 1000)),
    })
    const record: SimulatedWebhook = {
      event: name,
      egressId: info.egressId,
      status: EgressStatus[info.status] as keyof typeof EgressStatus,
      attempts: [],
      body: event.toJsonString(),
    }
    webhooks.push(record)
    lastEvent.set(info.egressId, { event, record })
    return [event, record]
  }

  function setStatus(egress: SimulatedEgress, status: EgressStatus): void {
    egress.info.status = status
    egress.info.updatedAt = nowNs()
  }

  async function upload(egress: SimulatedEgress): Promise<{ size: number } | { error: string }> {
    const body = (options.fileBytes ?? (() => FAKE_OGG))(egress)
    const file = await putObject(egress, egress.filepath, body, 'audio/ogg')
    if ('error' in file) return file
    // Like the real egress (v1.14.0, checked on the sandbox): a manifest `<egress id>.json` beside the file, with
    // snake_case fields. Its failure does not fail the recording.
    const dir = egress.filepath.includes('/')
      ? egress.filepath.slice(0, egress.filepath.lastIndexOf('/') + 1)
      : ''
    const manifest = {
      egress_id: egress.info.egressId,
      room_id: egress.info.roomId,
      room_name: egress.info.roomName,
      started_at: Number(egress.info.startedAt),
      ended_at: Number(nowNs()),
      files: [{ filename: egress.filepath, location: file.location }],
    }
    await putObject(
      egress,
      `${dir}${egress.info.egressId}.json`,
      new TextEncoder().encode(JSON.stringify(manifest)),
      'application/json',
    )
    return { size: body.length }
  }

  async function putObject(
    egress: SimulatedEgress,
    key: string,
    body: Uint8Array,
    contentType: string,
  ): Promise<{ location: string } | { error: string }> {
    const s3 = egress.s3
    if (!s3) return { error: 'no file output configured' }
    const signed = signS3Request(
      {
        bucket: s3.bucket,
        region: s3.region || 'us-east-1',
        endpoint: s3.endpoint || undefined,
        forcePathStyle: s3.forcePathStyle,
        accessKeyId: s3.accessKey,
        secretAccessKey: s3.secret,
        sessionToken: s3.sessionToken || undefined,
      },
      { method: 'PUT', key, body, headers: { 'content-type': contentType } },
    )
    try {
      const res = await doFetch(signed.url, {
        method: 'PUT',
        headers: signed.headers,
        body: Buffer.from(body),
      })
      if (!res.ok) {
        const text = await res.text()
        const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`
        return { error: `failed to upload ${key}: ${code}` }
      }
      return { location: signed.url.split('?')[0]! }
    } catch (error) {
      return {
        error: `failed to upload ${key}: ${error instanceof Error ? error.message : String(error)}`,
      }
    }
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.then(
      () => {},
      () => {},
    )
    pending.add(tracked)
    void tracked.finally(() => pending.delete(tracked))
    return promise
  }

  /** Ends an egress: waits for its queued webhooks, uploads, then queues `egress_ended` (never inside a queue task). */
  async function finish(egressId: string, failure?: string): Promise<EgressInfo> {
    const egress = egresses.get(egressId)
    if (!egress) throw new Error(`unknown egress ${egressId}`)
    await queues.get(egressId)
    if (egress.info.status >= EgressStatus.EGRESS_COMPLETE) return egress.info.clone()
    if (egress.info.status !== EgressStatus.EGRESS_ENDING && !failure) {
      setStatus(egress, EgressStatus.EGRESS_ENDING)
      void emit(egress, 'egress_updated')
    }
    const ended = nowNs()
    let error = failure
    let size = 0
    if (!error) {
      const result = await upload(egress)
      if ('error' in result) error = result.error
      else size = result.size
    }
    egress.info.endedAt = ended
    if (error) {
      setStatus(egress, EgressStatus.EGRESS_FAILED)
      egress.info.error = error
      egress.info.errorCode = 500
    } else {
      setStatus(egress, EgressStatus.EGRESS_COMPLETE)
      const started = egress.info.startedAt || ended
      const duration =
        options.durationSeconds !== undefined ? BigInt(options.durationSeconds * 1e9) : ended - started
      egress.info.fileResults = [
        new FileInfo({
          filename: egress.filepath,
          startedAt: started,
          endedAt: ended,
          duration,
          size: BigInt(size),
          location: signedLocation(egress),
        }),
      ]
    }
    await emit(egress, 'egress_ended')
    return egress.info.clone()
  }

  function signedLocation(egress: SimulatedEgress): string {
    const s3 = egress.s3
    if (!s3) return ''
    const host = s3.endpoint
      ? s3.endpoint.replace(/\/+$/, '')
      : `https://${s3.bucket}.s3.${s3.region}.amazonaws.com`
    return s3.endpoint ? `${host}/${s3.bucket}/${egress.filepath}` : `${host}/${egress.filepath}`
  }

  async function roomSid(roomName: string): Promise<string> {
    if (options.verifyRoom === false) return id('RM_')
    const [room] = await rooms.listRooms([roomName])
    if (!room) throw new TwirpFailure('not_found', 'twirp error unknown: requested room does not exist')
    return room.sid
  }

  async function body(request: Request): Promise<unknown> {
    try {
      return await request.json()
    } catch {
      throw new TwirpFailure('malformed', 'the json request could not be decoded')
    }
  }

  function route(method: string, handler: (request: Request) => Promise<unknown>): HttpHandler {
    return http.post(`${base}/twirp/livekit.Egress/${method}`, async ({ request }) => {
      try {
        const denied = await authorize(request)
        if (denied) return denied
        return HttpResponse.json((await handler(request)) as Record<string, unknown>)
      } catch (error) {
        if (error instanceof TwirpFailure) return twirpError(error.code, error.message)
        return twirpError('invalid_argument', error instanceof Error ? error.message : String(error))
      }
    })
  }

  const handlers: HttpHandler[] = [
    route('StartRoomCompositeEgress', async (request) => {
      const req = RoomCompositeEgressRequest.fromJson((await body(request)) as never, {
        ignoreUnknownFields: false,
      })
      if (!req.roomName) throw new TwirpFailure('invalid_argument', 'room name is required')
      const output = req.fileOutputs[0] ?? (req.output.case === 'file' ? req.output.value : undefined)
      if (!output) throw new TwirpFailure('invalid_argument', 'no outputs provided')
      const s3 = output.output.case === 's3' ? output.output.value : undefined
      const sid = await roomSid(req.roomName)
      const info = new EgressInfo({
        egressId: id('EG_'),
        roomId: sid,
        roomName: req.roomName,
        status: EgressStatus.EGRESS_STARTING,
        updatedAt: nowNs(),
        request: { case: 'roomComposite', value: req },
      })
      const egress: SimulatedEgress = { info, s3, filepath: output.filepath || `${info.egressId}.ogg` }
      egresses.set(info.egressId, egress)
      const response = info.clone().toJson()
      void emit(egress, 'egress_started')
      // The worker joins the room and starts writing a moment later.
      void enqueue(info.egressId, async () => {
        if (egress.info.status !== EgressStatus.EGRESS_STARTING) return
        egress.info.startedAt = nowNs()
        setStatus(egress, EgressStatus.EGRESS_ACTIVE)
        await deliver(...makeEvent(egress.info.clone(), 'egress_updated'))
      })
      return response
    }),
    route('StopEgress', async (request) => {
      const req = StopEgressRequest.fromJson((await body(request)) as never)
      const egress = egresses.get(req.egressId)
      if (!egress) throw new TwirpFailure('not_found', 'egress does not exist')
      if (egress.info.status > EgressStatus.EGRESS_ACTIVE) {
        throw new TwirpFailure(
          'failed_precondition',
          `egress with status ${EgressStatus[egress.info.status]} cannot be stopped`,
        )
      }
      setStatus(egress, EgressStatus.EGRESS_ENDING)
      const response = egress.info.clone().toJson()
      void emit(egress, 'egress_updated')
      track(finish(egress.info.egressId))
      return response
    }),
    route('ListEgress', async (request) => {
      const req = ListEgressRequest.fromJson((await body(request)) as never)
      const items = [...egresses.values()]
        .map((e) => e.info)
        .filter(
          (i) =>
            (!req.roomName || i.roomName === req.roomName) && (!req.egressId || i.egressId === req.egressId),
        )
        .filter((i) => !req.active || i.status <= EgressStatus.EGRESS_ENDING)
      return new ListEgressResponse({ items }).toJson()
    }),
    http.all(`${base}/*`, () => passthrough()),
  ]

  return {
    handlers,
    egresses,
    webhooks,
    complete: (egressId) => track(finish(egressId)),
    async roomFinished(roomName) {
      const open = [...egresses.values()].filter(
        (e) => e.info.roomName === roomName && e.info.status <= EgressStatus.EGRESS_ENDING,
      )
      await Promise.all(open.map((e) => track(finish(e.info.egressId))))
    },
    fail: (egressId, error) => track(finish(egressId, error)),
    replayLast(egressId) {
      const last = lastEvent.get(egressId)
      if (!last) return Promise.reject(new Error(`no webhook sent yet for ${egressId}`))
      return enqueue(egressId, () => deliver(last.event, last.record))
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending])
    },
  }
}
