import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One object held by the fake. */
export interface S3FakeObject {
  body: Buffer
  contentType: string
  etag: string
  lastModified: Date
}

/** A request the fake answered, for assertions. */
export interface S3FakeRequestLog {
  method: string
  bucket: string
  key: string
  auth: 'header' | 'query' | 'none'
  status: number
  code?: string
}

/** Options of `startS3Fake`. */
export interface S3FakeOptions {
  /** Credentials the fake accepts (access key id → secret). */
  credentials: Record<string, string>
  /** Region the signature scope must name (default `us-east-1`). */
  region?: string
  /** Buckets that exist (default: any bucket is created on first PUT). */
  buckets?: string[]
  /** Clock used to check `X-Amz-Date` and expiry; default `Date.now`. */
  now?: () => number
  /** Largest tolerated difference between `X-Amz-Date` and the clock for header-signed requests (default 15 min, as S3). */
  maxSkewSeconds?: number
}

/** A running fake: its endpoint, stored objects and request log. */
export interface S3Fake {
  /** `http://127.0.0.1:<port>`: use it as `endpoint` with `forcePathStyle: true`. */
  endpoint: string
  objects: Map<string, S3FakeObject>
  requests: S3FakeRequestLog[]
  /** The stored object at `bucket/key`, if any. */
  getObject(bucket: string, key: string): S3FakeObject | undefined
  /** Stores an object directly (no signature). */
  putObject(bucket: string, key: string, body: Uint8Array | string, contentType?: string): void
  close(): Promise<void>
}

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const mac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

// Written apart from src/recording/sigv4.ts on purpose, so the two check each other.
function uriEncode(value: string, path: boolean): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, path ? '/' : '%2F')
}

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m)
    throw new S3Failure(403, 'AccessDenied', `X-Amz-Date "${value}" is not in the ISO 8601 basic format`)
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
}

function objectKey(bucket: string, key: string): string {
  return `${bucket}/${key}`
}

/**
 * Starts an in-process S3-compatible server on 127.0.0.1 (path-style only) for PUT/GET/HEAD object,
 * verifying AWS SigV4 in the `Authorization` header and in presigned query strings.
 */
export async function startS3Fake(options: S3FakeOptions): Promise<S3Fake> {
  const region = options.region ?? 'us-east-1'
  const now = options.now ?? Date.now
  const maxSkew = (options.maxSkewSeconds ?? 900) * 1000
  const objects = new Map<string, S3FakeObject>()
  const buckets = options.buckets ? new Set(options.buckets) : undefined
  const requests: S3FakeRequestLog[] = []

  function verify(req: IncomingMessage, url: URL, body: Buffer): 'header' | 'query' {
    const method = req.method ?? 'GET'
    const canonicalPath = url.pathname
      .split('/')
      .map((segment) => uriEncode(decodeURIComponent(segment), false))
      .join('/')
    const host = req.headers.host ?? ''
    const auth = req.headers.authorization
    const q = url.searchParams
    if (q.get('X-Amz-Algorithm')) {
      if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
        throw new S3Failure(400, 'AuthorizationQueryParametersError', 'Unsupported X-Amz-Algorithm')
      const credential = q.get('X-Amz-Credential') ?? ''
      const date = q.get('X-Amz-Date') ?? ''
      const expires = Number(q.get('X-Amz-Expires'))
      const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';')
      const signature = q.get('X-Amz-Signature') ?? ''
      if (!Number.isInteger(expires) || expires < 1 || expires > 604_800)
        throw new S3Failure(
          400,
          'AuthorizationQueryParametersError',
          'X-Amz-Expires must be between 1 and 604800',
        )
      const start = parseAmzDate(date)
      if (now() > start + expires * 1000) throw new S3Failure(403, 'AccessDenied', 'Request has expired')
      if (now() < start - maxSkew) throw new S3Failure(403, 'AccessDenied', 'Request is not yet valid')
      const params = [...q.entries()].filter(([k]) => k !== 'X-Amz-Signature')
      const query = params
        .map(([k, v]) => `${uriEncode(k, false)}=${uriEncode(v, false)}`)
        .sort()
        .join('&')
      const headers = signed
        .map((h) => `${h}:${h === 'host' ? host : String(req.headers[h] ?? '').trim()}\n`)
        .join('')
      const canonical = [method, canonicalPath, query, headers, signed.join(';'), 'UNSIGNED-PAYLOAD'].join(
        '\n',
      )
      check(credential, date, canonical, signature)
      return 'query'
    }
    if (!auth) throw new S3Failure(403, 'AccessDenied', 'Access Denied')
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    )
    if (!m) throw new S3Failure(400, 'InvalidArgument', 'Unsupported Authorization header')
    const [, credential = '', signedList = '', signature = ''] = m
    const date = String(req.headers['x-amz-date'] ?? '')
    const start = parseAmzDate(date)
    if (Math.abs(now() - start) > maxSkew)
      throw new S3Failure(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large',
      )
    const payload = String(req.headers['x-amz-content-sha256'] ?? '')
    if (!payload)
      throw new S3Failure(
        400,
        'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256',
      )
    if (payload !== 'UNSIGNED-PAYLOAD' && payload !== hex(body))
      throw new S3Failure(
        400,
        'XAmzContentSHA256Mismatch',
        'The provided x-amz-content-sha256 header does not match what was computed',
      )
    const signed = signedList.split(';')
    if (!signed.includes('host')) throw new S3Failure(403, 'AccessDenied', 'host must be a signed header')
    const headers = signed
      .map(
        (h) =>
          `${h}:${
            h === 'host'
              ? host
              : String(req.headers[h] ?? '')
                  .trim()
                  .replace(/\s+/g, ' ')
          }\n`,
      )
      .join('')
    const query = [...url.searchParams.entries()]
      .map(([k, v]) => `${uriEncode(k, false)}=${uriEncode(v, false)}`)
      .sort()
      .join('&')
    const canonical = [method, canonicalPath, query, headers, signedList, payload].join('\n')
    check(credential, date, canonical, signature)
    return 'header'
  }

  function check(credential: string, date: string, canonical: string, signature: string): void {
    const [accessKeyId = '', day = '', scopeRegion = '', service = '', terminator = ''] =
      credential.split('/')
    const secret = options.credentials[accessKeyId]
    if (secret === undefined)
      throw new S3Failure(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      )
    if (day !== date.slice(0, 8) || service !== 's3' || terminator !== 'aws4_request')
      throw new S3Failure(403, 'AuthorizationHeaderMalformed', 'Malformed credential scope')
    if (scopeRegion !== region)
      throw new S3Failure(
        400,
        'AuthorizationHeaderMalformed',
        `the region '${scopeRegion}' is wrong; expecting '${region}'`,
      )
    const key = mac(mac(mac(mac(`AWS4${secret}`, day), scopeRegion), 's3'), 'aws4_request')
    const toSign = ['AWS4-HMAC-SHA256', date, `${day}/${scopeRegion}/s3/aws4_request`, hex(canonical)].join(
      '\n',
    )
    const expected = mac(key, toSign)
    const given = Buffer.from(signature, 'hex')
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new S3Failure(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      )
  }

  function sendError(res: ServerResponse, failure: S3Failure, method: string): void {
    res.writeHead(failure.status, { 'content-type': 'application/xml' })
    if (method === 'HEAD') return void res.end()
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${failure.code}</Code><Message>${failure.message}</Message></Error>`,
    )
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const method = req.method ?? 'GET'
    const [, rawBucket = '', ...rest] = url.pathname.split('/')
    const bucket = decodeURIComponent(rawBucket)
    const key = rest.map(decodeURIComponent).join('/')
    const log: S3FakeRequestLog = { method, bucket, key, auth: 'none', status: 200 }
    requests.push(log)
    try {
      log.auth = verify(req, url, body)
      if (!bucket || !key) throw new S3Failure(400, 'InvalidRequest', 'Only object requests are supported')
      if (buckets && !buckets.has(bucket))
        throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist')
      if (method === 'PUT') {
        const etag = `"${createHash('md5').update(body).digest('hex')}"`
        objects.set(objectKey(bucket, key), {
          body,
          contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
          etag,
          lastModified: new Date(now()),
        })
        res.writeHead(200, { etag })
        return void res.end()
      }
      if (method === 'GET' || method === 'HEAD') {
        const object = objects.get(objectKey(bucket, key))
        if (!object) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.')
        const override = url.searchParams.get('response-content-type')
        const headers: Record<string, string | number> = {
          'content-type': override ?? object.contentType,
          etag: object.etag,
          'last-modified': object.lastModified.toUTCString(),
          'accept-ranges': 'bytes',
        }
        const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''))
        if (range) {
          const start = Number(range[1])
          const end = Math.min(range[2] ? Number(range[2]) : object.body.length - 1, object.body.length - 1)
          if (start > end) throw new S3Failure(416, 'InvalidRange', 'The requested range is not satisfiable')
          const slice = object.body.subarray(start, end + 1)
          log.status = 206
          res.writeHead(206, {
            ...headers,
            'content-length': slice.length,
            'content-range': `bytes ${start}-${end}/${object.body.length}`,
          })
          return void res.end(method === 'HEAD' ? undefined : slice)
        }
        res.writeHead(200, { ...headers, 'content-length': object.body.length })
        return void res.end(method === 'HEAD' ? undefined : object.body)
      }
      throw new S3Failure(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
      )
    } catch (error) {
      const failure = error instanceof S3Failure ? error : new S3Failure(500, 'InternalError', String(error))
      log.status = failure.status
      log.code = failure.code
      sendError(res, failure, method)
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    getObject: (bucket, key) => objects.get(objectKey(bucket, key)),
    putObject(bucket, key, body, contentType = 'application/octet-stream') {
      const buffer = Buffer.from(body)
      objects.set(objectKey(bucket, key), {
        body: buffer,
        contentType,
        etag: `"${createHash('md5').update(buffer).digest('hex')}"`,
        lastModified: new Date(now()),
      })
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
