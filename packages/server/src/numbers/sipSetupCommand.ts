import { parseArgs } from 'node:util'
import { processEnv } from '../config'
import { type SipSetupOptions, sipSetup, sipSetupOptionsFromEnv } from './sipSetup'
import { TwilioOnboardingError } from './twilioErrors'
import type { LivekitSipProvisioner, TrunkStrategy } from './types'

/** A CLI command in the shape of `commands` in `src/cli.ts`. */
export interface SipSetupCommand {
  summary: string
  run(args: string[]): Promise<number>
}

const USAGE = `Usage: ringline sip setup [--number +14155550100|PN…] [--sip-uri sip:abc.sip.livekit.cloud]
         [--account-sid AC…] [--api-key SK…] [--api-secret …] [--tenant default] [--dedicated] [--force]
Env: TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, TWILIO_PHONE_NUMBER, LIVEKIT_SIP_URI
(prefer env for the secret: flags show up in shell history and process lists)`

/**
 * `ringline sip setup`: connect one Twilio number to LiveKit from env/flags and print what was created or reused.
 * `livekit` builds the LiveKit provisioner from the CLI's configuration.
 */
export function createSipSetupCommand(deps: {
  livekit: () => LivekitSipProvisioner
  out?: (line: string) => void
  env?: Record<string, string | undefined>
  overrides?: Partial<SipSetupOptions>
}): SipSetupCommand {
  const out = deps.out ?? ((line: string) => void process.stdout.write(`${line}\n`))
  return {
    summary:
      'Connect a Twilio number to LiveKit SIP (trunk, origination URL, credentials, LiveKit trunks and rule); idempotent.',
    async run(args) {
      let values: Record<string, string | boolean | undefined>
      try {
        values = parseArgs({
          args,
          options: {
            number: { type: 'string' },
            'sip-uri': { type: 'string' },
            'account-sid': { type: 'string' },
            'api-key': { type: 'string' },
            'api-secret': { type: 'string' },
            tenant: { type: 'string' },
            dedicated: { type: 'boolean' },
            force: { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
          },
        }).values
      } catch (error) {
        out(error instanceof Error ? error.message : String(error))
        out(USAGE)
        return 2
      }
      if (values.help) {
        out(USAGE)
        return 0
      }
      const env = sipSetupOptionsFromEnv(deps.env ?? processEnv())
      const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined)
      const options = {
        ...env,
        ...(str('account-sid') ? { accountSid: str('account-sid') } : {}),
        ...(str('api-key') ? { apiKeySid: str('api-key') } : {}),
        ...(str('api-secret') ? { apiKeySecret: str('api-secret') } : {}),
        ...(str('number') ? { phoneNumber: str('number') } : {}),
        ...(str('sip-uri') ? { sipTarget: str('sip-uri') } : {}),
        tenantId: str('tenant') ?? 'default',
        trunkStrategy: (values.dedicated ? 'dedicated' : 'shared') as TrunkStrategy,
        force: values.force === true,
        ...deps.overrides,
      }
      const missing = (
        [
          ['accountSid', 'TWILIO_ACCOUNT_SID / --account-sid'],
          ['apiKeySid', 'TWILIO_API_KEY_SID / --api-key'],
          ['apiKeySecret', 'TWILIO_API_KEY_SECRET / --api-secret'],
          ['phoneNumber', 'TWILIO_PHONE_NUMBER / --number'],
          ['sipTarget', 'LIVEKIT_SIP_URI / --sip-uri'],
        ] as const
      ).filter(([k]) => !options[k])
      if (missing.length) {
        out(`Missing: ${missing.map(([, label]) => label).join(', ')}`)
        out(USAGE)
        return 2
      }
      try {
        await sipSetup({ ...(options as SipSetupOptions), livekit: deps.livekit(), print: out })
        return 0
      } catch (error) {
        if (error instanceof TwilioOnboardingError) {
          out(`${error.code}: ${error.message}`)
          const step = error.details?.step
          if (typeof step === 'string') out(`(failed at step: ${step}; rerun the command to resume)`)
          return 1
        }
        out(`Failed: ${error instanceof Error ? error.name : 'error'}`)
        return 1
      }
    },
  }
}
