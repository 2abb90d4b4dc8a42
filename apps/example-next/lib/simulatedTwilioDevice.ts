// A demo `Device` for the Twilio Voice transport when the app runs with RINGLINE_TWILIO_SIMULATOR=1: it follows the
// SDK's state machines (core's FakeTwilioDevice) while the Twilio side is Ringline's simulator in the app's server,
// reached through the dev-only /api/demo/twilio-voice routes. Outgoing calls only; no audio (see README).
import { FakeTwilioCall, FakeTwilioDevice, FakeTwilioError } from '@ringline/core/testing'

/** Milliseconds the dialled number takes to ring, then to answer. */
const RING_AFTER_MS = 600
const ANSWER_AFTER_MS = 1_500

async function demoVoice(action: string, body: unknown): Promise<Response> {
  const res = await fetch(`/api/demo/twilio-voice/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) {
    const json = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
    // 31005: the SDK's "connection error" code, so the transport reports it as a failed connection.
    throw new FakeTwilioError(
      31005,
      json?.error?.message ?? `Simulated Twilio: ${action} failed (${res.status})`,
    )
  }
  return res
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** An outgoing simulated call: hanging up here ends it at the simulator too. */
class SimulatedTwilioCall extends FakeTwilioCall {
  override disconnect(): void {
    const open = this.status() !== 'closed'
    super.disconnect()
    if (open) void demoVoice('hangup', { callSid: this.parameters.CallSid }).catch(() => {})
  }
}

/** `Device` of `@twilio/voice-sdk` as far as Ringline uses it, its calls placed at the app's Twilio simulator. */
export class SimulatedTwilioDevice extends FakeTwilioDevice {
  override async connect(options: { params?: Record<string, string> } = {}): Promise<FakeTwilioCall> {
    if (this.state === 'destroyed') throw new FakeTwilioError(31000, 'The Device was destroyed')
    const params = options.params ?? {}
    const res = await demoVoice('connect', { params })
    const placed = (await res.json()) as { callSid: string; rejected: boolean }
    const call = new SimulatedTwilioCall({
      direction: 'OUTGOING',
      parameters: { CallSid: placed.callSid },
      customParameters: params,
    })
    this.calls.push(call)
    if (placed.rejected) {
      // Ringline answered <Reject> (or dialled nothing): Twilio ends the browser's call at once, as declined.
      queueMicrotask(() => call.fail(31603, 'The call was rejected'))
      return call
    }
    void this.#play(call)
    return call
  }

  /** The dialled number rings, then answers, each step reported to Ringline by the simulator first. */
  async #play(call: FakeTwilioCall): Promise<void> {
    const callSid = call.parameters.CallSid
    try {
      await sleep(RING_AFTER_MS)
      if (call.status() !== 'connecting') return
      await demoVoice('ringing', { callSid })
      call.remoteRinging()
      await sleep(ANSWER_AFTER_MS)
      if (call.status() !== 'ringing') return
      await demoVoice('answer', { callSid })
      call.remoteAnswer()
    } catch {
      call.fail(31005, 'Simulated Twilio stopped answering')
    }
  }
}
