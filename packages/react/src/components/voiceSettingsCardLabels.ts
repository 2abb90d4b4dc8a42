// The texts of VoiceSettingsCard, overridable through its `labels` prop.
import type { ConnectStage } from '@ringline/core'
import type { NumberConnection, TwilioCredentialsRequest } from '@ringline/core/protocol'

/** A plain-language problem and how to fix it. */
export interface ProblemText {
  message: string
  fix: string
}

/** Every text of VoiceSettingsCard. */
export interface VoiceSettingsCardLabels {
  title: string
  description: string
  status: Record<'loading' | 'not-connected' | 'credentials-saved' | 'connected' | 'attention', string>
  credentials: string
  accountSid: string
  accountSidHint: string
  apiKeySid: string
  apiKeySidHint: string
  apiKeySecret: string
  apiKeySecretHint: string
  verify: string
  verifying: string
  verified: string
  save: string
  saving: string
  savedAs: (accountSid: string, masked: string) => string
  removeCredentials: string
  removeConfirm: string
  numbers: string
  refreshNumbers: string
  noNumbers: string
  notVoiceCapable: string
  connectedBadge: string
  connect: string
  connecting: string
  connectProgress: (number: string) => string
  stages: Record<ConnectStage, string>
  connectionStatus: Record<NumberConnection['status'], string>
  checkStatus: string
  disconnect: string
  disconnectTitle: (number: string) => string
  disconnectBody: string
  confirmDisconnect: string
  cancel: string
  checklist: string
  checks: { credentials: string; number: string; inbound: string; outbound: string }
  /** Checklist hint while no test call was seen on the events stream yet. */
  waitingForTestCall: string
  trunkSid: string
  sipTarget: string
  lastCallSeen: string
  noCallSeen: string
  unknownCaller: string
  lastCallValue: (party: string, when: string) => string
  /** Inline note on a connected number when reading its status on its own failed (no banner). */
  statusReadFailed: string
  dismiss: string
  errors: Partial<Record<string, ProblemText>>
  unknownError: ProblemText
  fieldErrors: Record<keyof TwilioCredentialsRequest, string>
}

/** Default English texts of VoiceSettingsCard. */
export const voiceSettingsCardLabels: VoiceSettingsCardLabels = {
  title: 'Phone numbers',
  description: 'Bring your own Twilio number: calls to it ring here, and you call out from it.',
  status: {
    loading: 'Checking…',
    'not-connected': 'Not connected',
    'credentials-saved': 'Twilio account linked',
    connected: 'Connected',
    attention: 'Needs attention',
  },
  credentials: 'Twilio credentials',
  accountSid: 'Account SID',
  accountSidHint: 'Starts with AC. Twilio Console → Account info.',
  apiKeySid: 'API key SID',
  apiKeySidHint: 'Starts with SK. Twilio Console → Account → API keys & tokens → Create API key (Standard).',
  apiKeySecret: 'API key secret',
  apiKeySecretHint: 'Shown once when the key is created. Stored encrypted; never shown again.',
  verify: 'Verify',
  verifying: 'Verifying…',
  verified: 'These credentials work.',
  save: 'Save and continue',
  saving: 'Saving…',
  savedAs: (sid, masked) => `Linked to ${sid} (key secret ${masked}).`,
  removeCredentials: 'Remove credentials',
  removeConfirm: 'Remove the Twilio credentials? Connected numbers stop ringing here.',
  numbers: 'Numbers in your Twilio account',
  refreshNumbers: 'Refresh list',
  noNumbers:
    'This Twilio account has no phone numbers. Buy one in Twilio Console → Phone Numbers, then refresh.',
  notVoiceCapable: 'No voice',
  connectedBadge: 'Connected',
  connect: 'Connect number',
  connecting: 'Connecting…',
  connectProgress: (number) => `Connecting ${number}`,
  stages: {
    account: 'Checking your Twilio account',
    provisioning: 'Creating the SIP trunk and call routing',
    checking: 'Checking the connection',
    done: 'Ready to take calls',
  },
  connectionStatus: {
    connected: 'Connected',
    disconnected: 'Not connected',
    partial: 'Partly connected',
    drift: 'Changed in Twilio',
  },
  checkStatus: 'Check status',
  disconnect: 'Disconnect',
  disconnectTitle: (number) => `Disconnect ${number}?`,
  disconnectBody: 'Calls to this number will no longer ring here. You can connect it again later.',
  confirmDisconnect: 'Disconnect',
  cancel: 'Cancel',
  checklist: 'Test your setup',
  checks: {
    credentials: 'Twilio credentials saved',
    number: 'A number is connected',
    inbound: 'Call the number from a phone: this page rings',
    outbound: 'Call your phone from the Dialer',
  },
  waitingForTestCall: 'The test calls are ticked off here when they happen.',
  trunkSid: 'Trunk SID',
  sipTarget: 'SIP target',
  lastCallSeen: 'Last call seen',
  noCallSeen: 'No call yet',
  unknownCaller: 'Unknown caller',
  lastCallValue: (party, when) => `${party}, ${when}`,
  statusReadFailed: 'Could not load the latest details of this number. Check status to try again.',
  dismiss: 'Dismiss',
  errors: {
    AUTH_INVALID: {
      message: 'Twilio did not accept these credentials.',
      fix: 'Check the Account SID, then create a Standard API key in Twilio Console → API keys & tokens and paste its SID (SK…) and secret.',
    },
    INSUFFICIENT_PERMISSIONS: {
      message: 'This API key may not manage phone numbers or SIP trunks.',
      fix: 'Use a Standard API key (not Restricted) created in the account that owns the numbers.',
    },
    NUMBER_NOT_FOUND: {
      message: 'This number is no longer in the Twilio account.',
      fix: 'Refresh the list: the number may have been released or moved to a subaccount.',
    },
    NUMBER_IN_USE: {
      message: 'This number is already connected by another workspace.',
      fix: 'Disconnect it there first, or pick another number.',
    },
    TRUNKING_NOT_ENABLED: {
      message: 'Elastic SIP Trunking is not enabled on this Twilio account.',
      fix: 'Enable it in Twilio Console → Elastic SIP Trunking (accept the terms), then connect again.',
    },
    INVALID_SIP_TARGET: {
      message: 'Twilio cannot reach your LiveKit SIP address.',
      fix: 'Give the server a public LiveKit SIP host and run `ringline doctor` to check it.',
    },
    RATE_LIMITED: {
      message: 'Twilio is limiting requests right now.',
      fix: 'Wait a minute and try again; connecting is safe to retry.',
    },
    NOT_CONFIGURED: {
      message: 'Phone calling is not set up on the server.',
      fix: 'Set RINGLINE_SECRET_KEY and the LiveKit settings on the server, then run `ringline doctor`.',
    },
    NETWORK_ERROR: {
      message: 'Could not reach the server.',
      fix: 'Check your connection and try again.',
    },
    UPSTREAM_ERROR: {
      message: 'Twilio or LiveKit answered with an error.',
      fix: 'Try again; connecting is idempotent. If it persists, run `ringline doctor` on the server.',
    },
    INVALID_REQUEST: { message: 'Some details are not valid.', fix: 'Check the fields above and try again.' },
  },
  unknownError: { message: 'Something went wrong.', fix: 'Try again in a moment.' },
  fieldErrors: {
    accountSid: 'An Account SID is AC followed by 32 letters and digits.',
    apiKeySid: 'An API key SID is SK followed by 32 letters and digits.',
    apiKeySecret: 'The secret is at least 16 characters.',
  },
}
