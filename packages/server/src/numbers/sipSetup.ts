import { randomBytes } from 'node:crypto'
import type { NumberConnection } from '@ringline/core/protocol'
import { processEnv } from '../config'
import { createSecretBox, type SecretBox } from '../crypto/secretBox'
import type { ConnectNumberInput } from './connectionRecord'
import { createMemoryTwilioOnboardingStore } from './memoryOnboardingStore'
import type { RetryOptions } from './retry'
import { createTwilioRestClient, type TwilioCredentials, type TwilioRestClient } from './twilioClient'
import { TwilioOnboardingError } from './twilioErrors'
import { createTwilioOnboarding } from './twilioOnboarding'
import type {
  LivekitSipProvisioner,
  OnboardingLogger,
  RoutingPolicy,
  TrunkStrategy,
  TwilioOnboardingStore,
} from './types'

/** Options of {@link sipSetup}. */
export interface SipSetupOptions extends TwilioCredentials {
  /** The number to connect: E.164 (`+14155550100`) or its PN… SID. */
  phoneNumber: string
  /** LiveKit SIP URI, e.g. `sip:abc123.sip.livekit.cloud`. */
  sipTarget: string
  livekit: LivekitSipProvisioner
  /** Tenant the number belongs to (default `default`). */
  tenantId?: string
  trunkStrategy?: TrunkStrategy
  routing?: RoutingPolicy
  /** Move the number off a trunk Ringline did not create. */
  force?: boolean
  /** Persist into this store (default: in memory; reruns still reuse what Twilio has). */
  store?: TwilioOnboardingStore
  /** Encrypts secrets for the store (default: an ephemeral key, fine with the in-memory store). */
  secretBox?: SecretBox
  /** Where the report lines go (default: nowhere). */
  print?: (line: string) => void
  retry?: RetryOptions
  logger?: OnboardingLogger
  clientFactory?: (credentials: TwilioCredentials) => TwilioRestClient
}

const STEP_LABELS: Record<string, string> = {
  trunk: 'Twilio trunk',
  'origination-url': 'Origination URL',
  'phone-number': 'Number on trunk',
  'credential-list': 'Termination credentials',
  'livekit-inbound-trunk': 'LiveKit inbound trunk',
  'livekit-dispatch-rule': 'LiveKit dispatch rule',
  'livekit-outbound-trunk': 'LiveKit outbound trunk',
}

/** Read `ringline sip setup` settings from the environment (flags override them in the CLI). */
export function sipSetupOptionsFromEnv(
  env: Record<string, string | undefined> = processEnv(),
): Partial<SipSetupOptions> {
  const out: Partial<SipSetupOptions> = {}
  if (env.TWILIO_ACCOUNT_SID) out.accountSid = env.TWILIO_ACCOUNT_SID
  if (env.TWILIO_API_KEY_SID) out.apiKeySid = env.TWILIO_API_KEY_SID
  if (env.TWILIO_API_KEY_SECRET) out.apiKeySecret = env.TWILIO_API_KEY_SECRET
  if (env.TWILIO_PHONE_NUMBER) out.phoneNumber = env.TWILIO_PHONE_NUMBER
  if (env.LIVEKIT_SIP_URI) out.sipTarget = env.LIVEKIT_SIP_URI
  return out
}

/**
 * Single-tenant setup for `ringline sip setup`: connect one Twilio number to LiveKit (trunk, origination URL,
 * number, termination credentials, LiveKit trunks and rule), reusing whatever exists, and print what it did.
 */
export async function sipSetup(options: SipSetupOptions): Promise<NumberConnection> {
  const print = options.print ?? (() => undefined)
  const tenantId = options.tenantId ?? 'default'
  const requestId = `cli_${randomBytes(6).toString('hex')}`
  const clientFactory = options.clientFactory ?? ((c: TwilioCredentials) => createTwilioRestClient(c))
  const service = createTwilioOnboarding({
    store: options.store ?? createMemoryTwilioOnboardingStore(),
    secretBox: options.secretBox ?? createSecretBox({ current: randomBytes(32) }),
    livekit: options.livekit,
    sipTarget: options.sipTarget,
    trunkStrategy: options.trunkStrategy,
    retry: options.retry,
    logger: options.logger,
    clientFactory,
  })
  const ctx = { tenantId, requestId }
  const credentials = {
    accountSid: options.accountSid,
    apiKeySid: options.apiKeySid,
    apiKeySecret: options.apiKeySecret,
  }
  const verified = await service.saveCredentials(ctx, credentials)
  print(`Twilio account ${verified.accountSid}, key ${verified.apiKeySid}: credentials OK`)

  let phoneNumberSid = options.phoneNumber
  if (!/^PN[0-9a-fA-F]{32}$/.test(phoneNumberSid)) {
    const { numbers } = await service.listNumbers(ctx)
    const match = numbers.find((n) => n.e164 === options.phoneNumber)
    if (!match) {
      throw new TwilioOnboardingError(
        'NUMBER_NOT_FOUND',
        `${options.phoneNumber} is not a number of Twilio account ${options.accountSid}`,
        { requestId },
      )
    }
    phoneNumberSid = match.sid
  }
  const input: ConnectNumberInput = {
    force: options.force,
    trunkStrategy: options.trunkStrategy,
    routing: options.routing,
  }
  const result = await service.connectNumber(ctx, phoneNumberSid, input)
  for (const s of result.steps) {
    print(`${(STEP_LABELS[s.step] ?? s.step).padEnd(24)} ${s.status.padEnd(8)} ${s.sid ?? ''}`.trimEnd())
  }
  print(`${result.e164} now rings LiveKit at ${result.sipTarget} (trunk ${result.trunkSid})`)
  return result
}
