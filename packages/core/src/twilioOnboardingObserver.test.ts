import { afterEach, describe, expect, it } from 'vitest'
import type { NumberConnection, TwilioNumber } from './protocol'
import {
  onboardingOperations,
  type TwilioOnboardingApi,
  TwilioOnboardingObserver,
} from './twilioOnboardingObserver'

const number = {
  sid: 'PN1',
  phoneNumber: '+14155550100',
  connected: false,
  trunkSid: null,
} as unknown as TwilioNumber

function fakeApi(status: Partial<NumberConnection>): TwilioOnboardingApi {
  const connection = { phoneNumberSid: 'PN1', status: 'connected', drift: [], trunkSid: 'TK1', ...status }
  return {
    twilio: {
      verifyCredentials: async () => ({}),
      saveCredentials: async () => ({ accountSid: 'AC1', status: 'active' }) as never,
      getCredentials: async () => ({ integration: null }),
      deleteCredentials: async () => ({}),
      listNumbers: async () => [number],
      connectNumber: async () => connection as NumberConnection,
      disconnectNumber: async () => ({}),
      numberStatus: async () => connection as NumberConnection,
    },
  }
}

describe('TwilioOnboardingObserver', () => {
  it('asks for credentials when none are stored', async () => {
    const onboarding = new TwilioOnboardingObserver(fakeApi({}))
    await onboarding.load()
    expect(onboarding.getSnapshot()).toMatchObject({
      step: 'credentials',
      credentials: 'missing',
      pending: null,
    })
  })

  it('saves credentials, lists numbers and connects one to 100 %', async () => {
    const onboarding = new TwilioOnboardingObserver(fakeApi({}))
    expect(await onboarding.save({ accountSid: 'AC1', authToken: 'x' } as never)).toBe(true)
    expect(onboarding.getSnapshot()).toMatchObject({ step: 'numbers', numbers: [number] })
    await onboarding.connect('PN1')
    expect(onboarding.getSnapshot()).toMatchObject({
      step: 'connected',
      connectProgress: { sid: 'PN1', stage: 'done', progress: 100, failed: false },
    })
  })

  it('stops at 75 % with the drift when the number is only partly connected', async () => {
    const onboarding = new TwilioOnboardingObserver(
      fakeApi({ status: 'partial' as never, drift: ['no route'] }),
    )
    await onboarding.connect('PN1')
    expect(onboarding.getSnapshot().connectProgress).toMatchObject({ progress: 75, failed: true })
    expect(onboarding.getSnapshot().error?.message).toContain('no route')
  })

  describe('readStatus (quiet)', () => {
    function gatedApi() {
      const api = fakeApi({})
      const requests: { sid: string; signal?: AbortSignal; settle: (fail?: unknown) => void }[] = []
      api.twilio.numberStatus = (sid, signal) =>
        new Promise<NumberConnection>((resolve, reject) => {
          requests.push({
            sid,
            signal,
            settle: (fail) =>
              fail
                ? reject(fail)
                : resolve({ phoneNumberSid: sid, status: 'connected', drift: [], trunkSid: 'TK9' } as never),
          })
        })
      return { api, requests }
    }

    it('stores the status without pending or the error banner, one request per number in flight', async () => {
      const { api, requests } = gatedApi()
      const onboarding = new TwilioOnboardingObserver(api)
      const seen: (string | null)[] = []
      onboarding.subscribe(() => seen.push(onboarding.getSnapshot().pending))
      const first = onboarding.readStatus('PN1')
      const second = onboarding.readStatus('PN1')
      const other = onboarding.readStatus('PN2')
      expect(requests.map((r) => r.sid)).toEqual(['PN1', 'PN2'])
      for (const r of requests) r.settle()
      expect(await first).toMatchObject({ trunkSid: 'TK9' })
      expect(await second).toBe(await first)
      await other
      expect(onboarding.getSnapshot().connections.PN1).toMatchObject({ trunkSid: 'TK9' })
      expect(seen.every((p) => p === null)).toBe(true)
      expect(onboarding.getSnapshot().error).toBeNull()
      // Settled: the next read asks again.
      void onboarding.readStatus('PN1')
      expect(requests).toHaveLength(3)
    })

    it('puts a failure on the number, not in the banner, and a later success clears it', async () => {
      const { api, requests } = gatedApi()
      const onboarding = new TwilioOnboardingObserver(api)
      const failed = onboarding.readStatus('PN1')
      requests[0]?.settle({ code: 'UPSTREAM_ERROR', message: 'Twilio 503' })
      expect(await failed).toBeNull()
      expect(onboarding.getSnapshot()).toMatchObject({
        error: null,
        pending: null,
        statusProblems: { PN1: { code: 'UPSTREAM_ERROR', message: 'Twilio 503' } },
      })
      const retried = onboarding.readStatus('PN1')
      requests[1]?.settle()
      await retried
      expect(onboarding.getSnapshot().statusProblems).toEqual({})
    })

    it('aborts the request once every waiting caller has left, and ignores its outcome', async () => {
      const { api, requests } = gatedApi()
      const onboarding = new TwilioOnboardingObserver(api)
      const a = new AbortController()
      const b = new AbortController()
      const readA = onboarding.readStatus('PN1', a.signal)
      const readB = onboarding.readStatus('PN1', b.signal)
      expect(requests).toHaveLength(1)
      a.abort()
      expect(await readA).toBeNull()
      expect(requests[0]?.signal?.aborted).toBe(false)
      b.abort()
      expect(await readB).toBeNull()
      expect(requests[0]?.signal?.aborted).toBe(true)
      requests[0]?.settle({ code: 'ABORTED', message: 'aborted' })
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(onboarding.getSnapshot().statusProblems).toEqual({})
      expect(onboarding.getSnapshot().connections).toEqual({})
      // A cancelled read is no longer in flight: a new one asks again.
      void onboarding.readStatus('PN1')
      expect(requests).toHaveLength(2)
    })
  })
})

describe('TwilioOnboardingObserver before its operations loaded', () => {
  afterEach(() => onboardingOperations.provide(null))

  it('an operation waits for the load; a load that fails is that operation’s error, and the next one loads again', async () => {
    let release = () => {}
    const module = await import('./twilioOnboardingRun')
    onboardingOperations.provide(
      new Promise<typeof module>((resolve) => {
        release = () => resolve(module)
      }),
    )
    const onboarding = new TwilioOnboardingObserver(fakeApi({}))
    const verifying = onboarding.verify({ accountSid: 'AC1', apiKeySid: 'SK1', apiKeySecret: 's' })
    await Promise.resolve()
    expect(onboarding.getSnapshot().pending).toBeNull()
    release()
    expect(await verifying).toBe(true)
    expect(onboarding.getSnapshot().credentials).toBe('verified')

    onboardingOperations.provide(Promise.reject(new Error('chunk failed')))
    const failing = new TwilioOnboardingObserver(fakeApi({}))
    expect(await failing.save({ accountSid: 'AC1', apiKeySid: 'SK1', apiKeySecret: 's' })).toBe(false)
    expect(failing.getSnapshot()).toMatchObject({
      pending: null,
      error: { code: 'NETWORK_ERROR', message: 'chunk failed', operation: 'save' },
    })
    expect(await failing.readStatus('PN1')).toBeNull()
    expect(failing.getSnapshot().statusProblems.PN1).toMatchObject({ code: 'NETWORK_ERROR' })

    onboardingOperations.provide(null)
    expect(await failing.save({ accountSid: 'AC1', apiKeySid: 'SK1', apiKeySecret: 's' })).toBe(true)
    expect(failing.getSnapshot()).toMatchObject({ credentials: 'saved', error: null, numbers: [number] })
  })
})
