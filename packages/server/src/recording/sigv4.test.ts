import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Fake, startS3Fake } from '../testing/s3/s3Fake'
import { presignS3Url, type S3Location, s3ObjectUrl, signS3Request } from './sigv4'

// The worked examples of the AWS S3 SigV4 documentation ("Authenticating Requests: Using Query Parameters"
// and "Examples: Signature Calculations"), with their published signatures.
const aws: S3Location = {
  bucket: 'examplebucket',
  region: 'us-east-1',
  endpoint: 'https://s3.amazonaws.com',
  forcePathStyle: false,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
}
const awsNow = new Date('2013-05-24T00:00:00Z')

describe('SigV4 signing against AWS published examples', () => {
  it('presigns a GET URL', () => {
    const url = new URL(presignS3Url(aws, 'test.txt', { expiresIn: 86_400, now: awsNow }))
    expect(url.host).toBe('examplebucket.s3.amazonaws.com')
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    )
  })

  it('signs a GET with a Range header', () => {
    const signed = signS3Request(aws, {
      method: 'GET',
      key: 'test.txt',
      headers: { Range: 'bytes=0-9' },
      now: awsNow,
    })
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    )
  })

  it('signs a PUT with a body and an encoded key', () => {
    const signed = signS3Request(aws, {
      method: 'PUT',
      key: 'test$file.text',
      body: new TextEncoder().encode('Welcome to Amazon S3.'),
      headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      now: awsNow,
    })
    expect(signed.url).toBe('https://examplebucket.s3.amazonaws.com/test%24file.text')
    expect(signed.headers.authorization).toMatch(
      /SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd$/,
    )
  })

  it('addresses path-style buckets under a custom endpoint', () => {
    const url = s3ObjectUrl(
      { bucket: 'rec', region: 'auto', endpoint: 'http://127.0.0.1:9000/base/' },
      'a b/c+d.ogg',
    )
    expect(url.toString()).toBe('http://127.0.0.1:9000/base/rec/a%20b/c%2Bd.ogg')
  })

  it('rejects lifetimes SigV4 does not allow', () => {
    expect(() => presignS3Url(aws, 'x', { expiresIn: 0 })).toThrow(RangeError)
    expect(() => presignS3Url(aws, 'x', { expiresIn: 604_801 })).toThrow(RangeError)
  })
})

describe('S3 fake', () => {
  let clock = Date.now()
  let s3: S3Fake
  const location = (): S3Location => ({
    bucket: 'recordings',
    region: 'eu-west-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: 'AKFAKE',
    secretAccessKey: 'fake-secret-key-123',
  })

  beforeAll(async () => {
    s3 = await startS3Fake({
      credentials: { AKFAKE: 'fake-secret-key-123' },
      region: 'eu-west-1',
      now: () => clock,
    })
  })
  afterAll(() => s3.close())

  it('stores a header-signed PUT and serves it back through a presigned GET with Range', async () => {
    const body = new TextEncoder().encode('OggS fake audio payload')
    const put = signS3Request(location(), {
      method: 'PUT',
      key: 'calls/t 1/c+1.ogg',
      body,
      headers: { 'content-type': 'audio/ogg' },
      now: new Date(clock),
    })
    const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body })
    expect(res.status).toBe(200)
    expect(s3.getObject('recordings', 'calls/t 1/c+1.ogg')?.body.toString()).toBe('OggS fake audio payload')

    const url = presignS3Url(location(), 'calls/t 1/c+1.ogg', { expiresIn: 60, now: new Date(clock) })
    const whole = await fetch(url)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('audio/ogg')
    expect(await whole.text()).toBe('OggS fake audio payload')
    const part = await fetch(url, { headers: { range: 'bytes=0-3' } })
    expect(part.status).toBe(206)
    expect(await part.text()).toBe('OggS')
  })

  it('refuses a tampered body, a wrong secret, a tampered URL and an expired URL', async () => {
    const body = new TextEncoder().encode('one')
    const put = signS3Request(location(), { method: 'PUT', key: 'k.ogg', body, now: new Date(clock) })
    const tampered = await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'two' })
    expect(tampered.status).toBe(400)
    expect(await tampered.text()).toContain('XAmzContentSHA256Mismatch')

    const wrong = signS3Request(
      { ...location(), secretAccessKey: 'nope-nope' },
      { method: 'PUT', key: 'k.ogg', body },
    )
    const denied = await fetch(wrong.url, { method: 'PUT', headers: wrong.headers, body })
    expect(denied.status).toBe(403)
    expect(await denied.text()).toContain('SignatureDoesNotMatch')

    s3.putObject('recordings', 'k.ogg', 'x')
    const url = presignS3Url(location(), 'k.ogg', { expiresIn: 30, now: new Date(clock) })
    expect((await fetch(url.replace('k.ogg', 'other.ogg'))).status).toBe(403)
    expect((await fetch(url)).status).toBe(200)
    clock += 31_000
    const expired = await fetch(url)
    expect(expired.status).toBe(403)
    expect(await expired.text()).toContain('Request has expired')
  })

  it('accepts the AWS documentation example request at its own time', async () => {
    const fake = await startS3Fake({
      credentials: { [aws.accessKeyId]: aws.secretAccessKey },
      now: () => awsNow.getTime() + 1000,
    })
    try {
      fake.putObject('examplebucket', 'test.txt', 'hello')
      const path = presignS3Url({ ...aws, endpoint: fake.endpoint, forcePathStyle: true }, 'test.txt', {
        expiresIn: 86_400,
        now: awsNow,
      })
      expect((await fetch(path)).status).toBe(200)
    } finally {
      await fake.close()
    }
  })
})
