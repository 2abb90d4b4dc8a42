// The texts of VoiceConfigurationCard, overridable through its `labels` prop.
import type { ProblemText } from './voiceSettingsCardLabels'

/** The four steps of Twilio Voice auto-configuration, shown at 25, 50, 75 and 100 %. */
export type VoiceConfigurationStage = 'validating' | 'provisioning' | 'checking' | 'done'

/** What the card shows: finding out, the two-field form, configuring with progress, or configured. */
export type VoiceConfigurationState = 'loading' | 'credentials' | 'configuring' | 'configured'

/** Every text of VoiceConfigurationCard. */
export interface VoiceConfigurationCardLabels {
  title: string
  description: string
  state: Record<VoiceConfigurationState, string>
  credentials: string
  accountSid: string
  accountSidHint: string
  authToken: string
  authTokenHint: string
  configure: string
  configuring: string
  progress: string
  stages: Record<VoiceConfigurationStage, string>
  badges: {
    label: string
    configured: string
    notConfigured: string
    twimlApp: (sid: string) => string
    noTwimlApp: string
    /** The caller id of calls going out (the account's number they show). */
    callerId: (e164: string) => string
    /** No caller id: calls going out are refused until one is set. */
    noCallerId: string
    setupMethod: Record<'auto' | 'manual' | 'env', string>
  }
  account: (accountSid: string) => string
  testConnection: string
  testing: string
  testPassed: (identity: string) => string
  refresh: string
  reconfigure: string
  cancel: string
  remove: string
  removeConfirm: string
  envManaged: string
  dismiss: string
  /** Problems by the server's stable error code, each with its fix. */
  errors: Partial<Record<string, ProblemText>>
  unknownError: ProblemText
  fieldErrors: Record<'accountSid' | 'authToken', string>
}

/** Default English texts of VoiceConfigurationCard. */
export const voiceConfigurationCardLabels: VoiceConfigurationCardLabels = {
  title: 'Voice calling (Twilio)',
  description:
    'Enter your Twilio Account SID and Auth Token: the API key and TwiML app are created for you, so browsers can place and take calls.',
  state: {
    loading: 'Checking…',
    credentials: 'Not configured',
    configuring: 'Configuring…',
    configured: 'Ready',
  },
  credentials: 'Twilio account',
  accountSid: 'Account SID',
  accountSidHint: 'Starts with AC. Twilio Console → Account info.',
  authToken: 'Auth Token',
  authTokenHint:
    'Twilio Console → Account info. Stored encrypted; used to create the API key and check webhooks.',
  configure: 'Configure',
  configuring: 'Configuring…',
  progress: 'Configuring Twilio Voice',
  stages: {
    validating: 'Validating credentials',
    provisioning: 'Creating the API key and TwiML app',
    checking: 'Checking the configuration',
    done: 'Voice calling ready',
  },
  badges: {
    label: 'Twilio Voice status',
    configured: 'Configured',
    notConfigured: 'Not configured',
    twimlApp: (sid) => `TwiML app ${sid}`,
    noTwimlApp: 'No TwiML app',
    callerId: (e164) => `Caller ID ${e164}`,
    noCallerId: 'No caller ID: calls out are refused until the account has a number',
    setupMethod: { auto: 'Set up automatically', manual: 'Set up by hand', env: 'From server environment' },
  },
  account: (sid) => `Twilio account ${sid}`,
  testConnection: 'Test connection',
  testing: 'Testing…',
  testPassed: (identity) => `Connection works: a Voice token was issued for ${identity}.`,
  refresh: 'Check status',
  reconfigure: 'Change credentials',
  cancel: 'Cancel',
  remove: 'Remove',
  removeConfirm: 'Remove the Twilio Voice settings? Browsers stop placing and taking Twilio calls.',
  envManaged: 'These settings come from the server environment (TWILIO_*); change them there.',
  dismiss: 'Dismiss',
  errors: {
    AUTH_INVALID: {
      message: 'Twilio did not accept this Account SID and Auth Token.',
      fix: 'Copy both again from Twilio Console → Account info (the Auth Token of the same account; reveal it with "Show").',
    },
    INSUFFICIENT_PERMISSIONS: {
      message: 'This Twilio account may not create API keys or TwiML apps.',
      fix: 'Use the main Auth Token of the account (not a subaccount or restricted key), or ask the account owner.',
    },
    RATE_LIMITED: {
      message: 'Twilio is limiting requests right now.',
      fix: 'Wait a minute and try again; configuring is safe to repeat.',
    },
    NOT_CONFIGURED: {
      message: 'Twilio Voice is not set up yet, or the server cannot store secrets.',
      fix: 'Enter the Account SID and Auth Token above. If this persists, set RINGLINE_SECRET_KEY on the server and run `ringline doctor`.',
    },
    FORBIDDEN: {
      message: 'Only workspace admins can change voice settings.',
      fix: 'Ask an admin of this workspace to configure Twilio Voice.',
    },
    NUMBER_NOT_FOUND: {
      message: 'A number is not in this Twilio account.',
      fix: 'Check the numbers in Twilio Console → Phone Numbers.',
    },
    INVALID_REQUEST: {
      message: 'Some details are not valid.',
      fix: 'Check the Account SID (AC…) and the Auth Token, then try again.',
    },
    ACCESS_REVOKED: {
      message: 'Calling was switched off for your account.',
      fix: 'Sign out and in again, or ask an admin to restore your access.',
    },
    UNAUTHENTICATED: {
      message: 'You are signed out.',
      fix: 'Sign in again, then come back to this page.',
    },
    STORE_UNAVAILABLE: {
      message: 'The server could not save the settings.',
      fix: 'Try again in a moment; if it persists, run `ringline doctor` on the server (store check).',
    },
    NETWORK_ERROR: { message: 'Could not reach the server.', fix: 'Check your connection and try again.' },
    UPSTREAM_ERROR: {
      message: 'Twilio answered with an error.',
      fix: 'Try again; if it persists, check status.twilio.com and run `ringline doctor` on the server.',
    },
  },
  unknownError: { message: 'Something went wrong.', fix: 'Try again in a moment.' },
  fieldErrors: {
    accountSid: 'An Account SID is AC followed by 32 letters and digits.',
    authToken: 'The Auth Token is 32 characters (Twilio Console → Account info).',
  },
}
