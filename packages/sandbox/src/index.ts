export {
  LIVEKIT_SERVER_VERSION,
  LIVEKIT_SIP_BUILD,
  LIVEKIT_SIP_FIX,
  LIVEKIT_SIP_VERSION,
  SandboxSetupError,
} from './binaries'
export {
  DEFAULT_API_KEY,
  DEFAULT_API_SECRET,
  DEFAULT_PORTS,
  NUMBERS,
  PHONE_DTMF_DIGITS,
  PHONE_HANGUP_AFTER_MS,
  PHONE_NUMBERS,
  PHONE_TRANSFER_LEG_MS,
  PORT_ENV,
  type SandboxOptions,
  type SandboxPorts,
} from './config'
export { type ProcessHealth, sipIsAvailable, sipUnavailableBanner } from './health'
export { dtmfPcap } from './pcap'
export {
  audioLevel,
  Phone,
  PhoneCall,
  type PhoneCallOptions,
  type PhoneCallResult,
  type ReceivedSummary,
} from './phone'
export {
  type ProcessControlOptions,
  startSandboxProcess,
  stopSandboxProcess,
} from './processControl'
export {
  connectSandbox,
  type Sandbox,
  type SandboxStatus,
  sandboxLogs,
  sandboxStatus,
  startSandbox,
  stopSandbox,
} from './sandbox'
export { envLines } from './sandboxInfo'
export type { CallDirection, PhoneTransfer } from './sipp-trace'
export type { ProcessName } from './stateFile'
export type { PhoneAudio, PhoneCallRecord, SandboxInfo, WebhookDelivery } from './types'
export { type WebhookFilter, WebhookRelay, type WebhookStream } from './webhooks'
