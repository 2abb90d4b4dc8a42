// MSW simulator of LiveKit egress (Twirp API, uploads, signed webhooks) for tests and demos.
export type {
  EgressSimulator,
  EgressSimulatorOptions,
  SimulatedEgress,
  SimulatedWebhook,
} from './egressSimulator'
export { createEgressSimulator } from './egressSimulator'
