// `prepare()`: what the first call needs loads ahead of it (the Dialer calls it on focus), once, and never rejects.
// Its own module instance (vitest isolates files): the phone-number metadata is not loaded when it starts.
import { describe, expect, it, vi } from 'vitest'
import { createCallClient } from './callClient'
import { livekitTransport } from './livekitTransport'
import { isPhoneNumberMetadataLoaded } from './phoneNumber'
import { fakeLivekit } from './testing/fakeRoom'
import { FakeTwilioDevice } from './twilio/testing/fakeDevice'
import type { TwilioDeviceConstructor } from './twilio/twilioVoiceTransport'
import { twilioVoiceTransport } from './twilio/twilioVoiceTransport'

const noFetch = vi.fn(async () => {
  throw new Error('prepare() must not call the server')
}) as unknown as typeof fetch

describe('callClient.prepare()', () => {
  it('loads livekit-client and, with a default country, the phone-number metadata, once, without a request', async () => {
    const loader = vi.fn(async () => fakeLivekit)
    const client = createCallClient({
      baseUrl: 'https://app.example/api/ringline',
      fetch: noFetch,
      events: false,
      defaultCountry: 'US',
      transport: livekitTransport({ livekit: loader }),
    })
    expect(isPhoneNumberMetadataLoaded()).toBe(false)
    await client.prepare()
    expect(loader).toHaveBeenCalledTimes(1)
    expect(isPhoneNumberMetadataLoaded()).toBe(true)
    await client.prepare()
    expect(loader).toHaveBeenCalledTimes(1)
    expect(noFetch).not.toHaveBeenCalled()
    client.destroy()
  })

  it('never rejects: a failed SDK load is tried again by the next prepare (or the call)', async () => {
    let attempts = 0
    const Device = vi.fn(async () => {
      attempts += 1
      if (attempts === 1) throw new Error('chunk failed to load')
      return FakeTwilioDevice as unknown as TwilioDeviceConstructor
    })
    const client = createCallClient({
      baseUrl: 'https://app.example/api/ringline',
      fetch: noFetch,
      events: false,
      transport: twilioVoiceTransport({ Device }),
    })
    await expect(client.prepare()).resolves.toBeUndefined()
    await expect(client.prepare()).resolves.toBeUndefined()
    expect(Device).toHaveBeenCalledTimes(2)
    await client.prepare()
    expect(Device).toHaveBeenCalledTimes(2)
    client.destroy()
  })
})
