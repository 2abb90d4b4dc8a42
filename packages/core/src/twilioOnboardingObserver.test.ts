import { describe, expect, it } from 'vitest'
import type { NumberConnection, TwilioNumber } from './protocol'
import { type TwilioOnboardingApi, TwilioOnboardingObserver } from './twilioOnboardingObserver'

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
})
