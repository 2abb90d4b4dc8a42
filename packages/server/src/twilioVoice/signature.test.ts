import { createHash } from 'node:crypto'
import twilio from 'twilio'
import { describe, expect, it } from 'vitest'
import {
  formParams,
  twilioSignature,
  validateTwilioBodySignature,
  validateTwilioSignature,
} from './signature'

// Twilio's published vectors (twilio-node spec/validation.spec.js and the other official helper libraries).
const token = '12345'
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2'
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
}
const body = '{"property": "value", "boolean": true}'
const bodyHash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620'

describe('X-Twilio-Signature (form bodies)', () => {
  it('computes the published signature', () => {
    expect(twilioSignature(token, url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=')
  })

  it('accepts the published port variants', () => {
    expect(validateTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true)
    expect(validateTwilioSignature(token, 'kvajT1Ptam85bY51eRf/AJRuM3w=', url, params)).toBe(true)
    expect(
      validateTwilioSignature(
        token,
        'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
        url.replace('.com', '.com:1234'),
        params,
      ),
    ).toBe(true)
    const http1234 = url.replace('.com', '.com:1234').replace('https', 'http')
    expect(validateTwilioSignature(token, 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', http1234, params)).toBe(true)
    expect(
      validateTwilioSignature(token, '0ZXoZLH/DfblKGATFgpif+LLRf4=', url.replace('https', 'http'), params),
    ).toBe(true)
    const creds = 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2'
    expect(validateTwilioSignature(token, 'CukzLTc1tT5dXEDIHm/tKBanW10=', creds, params)).toBe(true)
  })

  it('refuses a wrong token, a changed parameter, another URL or no signature', () => {
    const sig = 'RSOYDt4T1cUTdK1PDd93/VVr8B8='
    expect(validateTwilioSignature('54321', sig, url, params)).toBe(false)
    expect(validateTwilioSignature(token, sig, url, { ...params, To: '+18005551213' })).toBe(false)
    expect(validateTwilioSignature(token, sig, url.replace('myapp', 'other'), params)).toBe(false)
    expect(validateTwilioSignature(token, sig, `${url}&x=1`, params)).toBe(false)
    expect(validateTwilioSignature(token, null, url, params)).toBe(false)
    expect(validateTwilioSignature(token, '', url, params)).toBe(false)
  })

  it('agrees with the twilio package on repeated and unicode parameters', () => {
    const raw =
      'StatusCallbackEvent=ringing&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&Body=h%C3%A9llo+w%C3%B6rld&Empty='
    const parsed = formParams(raw)
    expect(parsed.StatusCallbackEvent).toEqual(['ringing', 'initiated', 'ringing'])
    const ours = twilioSignature(token, url, parsed)
    expect(twilio.validateRequest(token, ours, url, parsed as Record<string, string>)).toBe(true)
    expect(twilio.getExpectedTwilioSignature(token, url, parsed as Record<string, string>)).toBe(ours)
  })
})

describe('X-Twilio-Signature (JSON bodies with bodySHA256)', () => {
  it('validates the published body vector', () => {
    expect(createHash('sha256').update(body).digest('hex')).toBe(bodyHash)
    expect(
      validateTwilioBodySignature(
        token,
        'a9nBmqA0ju/hNViExpshrM61xv4=',
        `${url}&bodySHA256=${bodyHash}`,
        body,
      ),
    ).toBe(true)
    const only = `https://mycompany.com/myapp.php?bodySHA256=${bodyHash}`
    expect(validateTwilioBodySignature(token, 'y77kIzt2vzLz71DgmJGsen2scGs=', only, body)).toBe(true)
  })

  it('refuses a body that does not match bodySHA256, or a URL without it', () => {
    const signed = `${url}&bodySHA256=${bodyHash}`
    expect(validateTwilioBodySignature(token, 'a9nBmqA0ju/hNViExpshrM61xv4=', signed, `${body} `)).toBe(false)
    expect(validateTwilioBodySignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, body)).toBe(false)
  })
})
