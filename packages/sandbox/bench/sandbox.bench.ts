/**
 * Sandbox figures: `pnpm --filter @ringline/sandbox bench`. Prints medians; asserts nothing.
 *
 * - cold start: startSandbox() with nothing running (binaries already built: build time is excluded)
 * - warm start: startSandbox({ reuse: true }) attaching to the running stack
 * - outbound setup: createSipParticipant(waitUntilAnswered) → answered, to the phone's answer-at-once number
 * - inbound setup: the phone's INVITE → the SIP participant joined the room (LiveKit's joinedAtMs)
 *
 * Runs on its own state dir and ports (offset 600) so it leaves a dev sandbox alone. Without livekit-sip the
 * two call figures are not measured, and it says why.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ParticipantInfo_Kind } from '@livekit/protocol'
import { RoomServiceClient, SipClient } from 'livekit-server-sdk'
import { type Sandbox, startSandbox, stopSandbox } from '../src/index'

const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const stateDir = mkdtempSync(join(tmpdir(), 'ringline-sandbox-bench-'))
const base = { stateDir, portOffset: 600, log: false as const }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0).padStart(5)} ms   (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main() {
  console.log(`@ringline/sandbox figures, ${RUNS} runs each (state ${stateDir})\n`)

  // Cold start (build excluded; the first call may build once and that time is reported apart).
  const cold: number[] = []
  let buildMs = 0
  for (let i = 0; i < RUNS; i++) {
    const sb = await startSandbox(base)
    buildMs += sb.buildMs
    cold.push(sb.startupMs)
    await sb.stop()
  }
  console.log(
    `cold start              ${fmt(cold)}${buildMs ? `   [one-time build ${(buildMs / 1000).toFixed(0)} s excluded]` : ''}`,
  )

  const sandbox: Sandbox = await startSandbox(base)
  try {
    const warm: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now()
      const attached = await startSandbox({ ...base, reuse: true })
      warm.push(performance.now() - t0)
      await attached.stop()
    }
    console.log(`warm start (attach)     ${fmt(warm)}`)

    if (!sandbox.info.sip.available) {
      for (const figure of ['outbound setup', 'inbound setup'])
        console.log(
          `${figure.padEnd(24)}NOT MEASURED: livekit-sip is unavailable (${sandbox.info.sip.unavailableReason})`,
        )
      return
    }
    const sip = new SipClient(sandbox.livekit.url, sandbox.livekit.apiKey, sandbox.livekit.apiSecret)
    const rooms = new RoomServiceClient(
      sandbox.livekit.url,
      sandbox.livekit.apiKey,
      sandbox.livekit.apiSecret,
    )

    const outbound: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const room = `bench-out-${Date.now()}-${i}`
      const t0 = performance.now()
      await sip.createSipParticipant(sandbox.sip.outboundTrunkId, sandbox.phone.numbers.answerNow, room, {
        participantIdentity: 'callee',
        waitUntilAnswered: true,
      })
      outbound.push(performance.now() - t0)
      await rooms.deleteRoom(room)
    }
    console.log(`outbound setup          ${fmt(outbound)}   (request → answered; the phone answers at once)`)

    const inbound: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const caller = `+1555000${String(7000 + i)}`
      const call = sandbox.phone.call(sandbox.sip.inboundNumber, { from: caller })
      let joinedAtMs: number | undefined
      let roomName: string | undefined
      const deadline = Date.now() + 20_000
      while (!joinedAtMs && Date.now() < deadline) {
        const r = (await rooms.listRooms()).find((x) =>
          x.name.startsWith(`${sandbox.sip.roomPrefix}_${caller}_`),
        )
        if (r) {
          roomName = r.name
          const p = (await rooms.listParticipants(r.name)).find((x) => x.kind === ParticipantInfo_Kind.SIP)
          if (p) joinedAtMs = Number(p.joinedAtMs)
        }
        if (!joinedAtMs) await sleep(20)
      }
      const result = await call.hangup()
      if (joinedAtMs) inbound.push(joinedAtMs - result.invitedAt)
      if (roomName) await rooms.deleteRoom(roomName).catch(() => undefined)
    }
    console.log(`inbound setup           ${fmt(inbound)}   (INVITE → SIP participant joined the room)`)
  } finally {
    await sandbox.stop()
    await stopSandbox({ stateDir, log: false })
    rmSync(stateDir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
