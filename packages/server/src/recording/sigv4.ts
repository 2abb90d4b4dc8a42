import { createHash, createHmac } from 'node:crypto'

/** An S3-compatible object location and the credentials that may read or write it. */
export interface S3Location {
  bucket: string
  region: string
  /** Custom endpoint (MinIO, R2, a fake); default `https://s3.<region>.amazonaws.com`. */
  endpoint?: string
  /** Address the bucket in the path (`/bucket/key`) instead of the host name. Default true with `endpoint`. */
  forcePathStyle?: boolean
  accessKeyId: string
  secretAccessKey: string
  /** Temporary credentials' session token, if any. */
  sessionToken?: string
}

const UNSIGNED = 'UNSIGNED-PAYLOAD'

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}

/** RFC 3986 encoding as SigV4 wants it (`A-Za-z0-9-._~` kept); `/` kept too when encoding a path. */
export function awsUriEncode(value: string, keepSlash = false): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9\-._~]/.test(ch) || (keepSlash && ch === '/')) out += ch
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** `20130524T000000Z` for a date. */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** The URL of an object and the host that is signed, honouring path-style vs virtual-hosted addressing. */
export function s3ObjectUrl(
  location: Pick<S3Location, 'bucket' | 'region' | 'endpoint' | 'forcePathStyle'>,
  key: string,
): URL {
  const base = new URL(location.endpoint ?? `https://s3.${location.region}.amazonaws.com`)
  const pathStyle = location.forcePathStyle ?? location.endpoint !== undefined
  const encodedKey = awsUriEncode(key, true)
  const prefix = base.pathname.replace(/\/+$/, '')
  if (pathStyle) {
    base.pathname = `${prefix}/${awsUriEncode(location.bucket)}/${encodedKey}`
  } else {
    base.hostname = `${location.bucket}.${base.hostname}`
    base.pathname = `${prefix}/${encodedKey}`
  }
  return base
}

function signingKey(secret: string, day: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 's3'), 'aws4_request')
}

function canonicalQuery(params: [string, string][]): string {
  return params
    .map(([k, v]) => [awsUriEncode(k), awsUriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

/** Options of `presignS3Url`. */
export interface PresignOptions {
  method?: 'GET' | 'HEAD' | 'PUT'
  /** Seconds the URL stays valid, 1..604800 (SigV4's limit of 7 days). */
  expiresIn: number
  /** Signing time; default now. */
  now?: Date
  /** Extra query parameters to sign, e.g. `response-content-type`. */
  query?: Record<string, string>
}

/**
 * An S3 SigV4 query-signed URL (`X-Amz-Signature`): anyone holding it may `GET` the object until it expires.
 * @example presignS3Url(location, 'calls/t1/c1.ogg', { expiresIn: 300 })
 */
export function presignS3Url(location: S3Location, key: string, options: PresignOptions): string {
  const expiresIn = Math.floor(options.expiresIn)
  if (!(expiresIn >= 1 && expiresIn <= 604_800))
    throw new RangeError('expiresIn must be between 1 and 604800 seconds')
  const now = options.now ?? new Date()
  const stamp = amzDate(now)
  const day = stamp.slice(0, 8)
  const scope = `${day}/${location.region}/s3/aws4_request`
  const url = s3ObjectUrl(location, key)
  const params: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${location.accessKeyId}/${scope}`],
    ['X-Amz-Date', stamp],
    ['X-Amz-Expires', String(expiresIn)],
    ['X-Amz-SignedHeaders', 'host'],
    ...(location.sessionToken
      ? ([['X-Amz-Security-Token', location.sessionToken]] as [string, string][])
      : []),
    ...Object.entries(options.query ?? {}),
  ]
  const query = canonicalQuery(params)
  const canonicalRequest = [
    options.method ?? 'GET',
    url.pathname,
    query,
    `host:${url.host}\n`,
    'host',
    UNSIGNED,
  ].join('\n')
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n')
  const signature = createHmac('sha256', signingKey(location.secretAccessKey, day, location.region))
    .update(toSign, 'utf8')
    .digest('hex')
  return `${url.origin}${url.pathname}?${query}&X-Amz-Signature=${signature}`
}

/** Options of `signS3Request`. */
export interface SignRequestOptions {
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE'
  key: string
  body?: Uint8Array
  headers?: Record<string, string>
  now?: Date
}

/** Headers (`Authorization`, `x-amz-date`, `x-amz-content-sha256`) and URL of a header-signed S3 request. */
export function signS3Request(
  location: S3Location,
  options: SignRequestOptions,
): { url: string; headers: Record<string, string> } {
  const now = options.now ?? new Date()
  const stamp = amzDate(now)
  const day = stamp.slice(0, 8)
  const scope = `${day}/${location.region}/s3/aws4_request`
  const url = s3ObjectUrl(location, options.key)
  const payloadHash = sha256Hex(options.body ?? new Uint8Array())
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: url.host,
    'x-amz-date': stamp,
    'x-amz-content-sha256': payloadHash,
    ...(location.sessionToken ? { 'x-amz-security-token': location.sessionToken } : {}),
  }
  const names = Object.keys(headers).sort()
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]}\n`).join('')
  const signedHeaders = names.join(';')
  const canonicalRequest = [
    options.method,
    url.pathname,
    '',
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n')
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n')
  const signature = createHmac('sha256', signingKey(location.secretAccessKey, day, location.region))
    .update(toSign, 'utf8')
    .digest('hex')
  const { host: _host, ...sendHeaders } = headers
  return {
    url: url.toString(),
    headers: {
      ...sendHeaders,
      authorization: `AWS4-HMAC-SHA256 Credential=${location.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
  }
}
