/**
 * Blind-transfer figures: `pnpm --filter @ringline/sandbox bench:transfer` (also run by `pnpm bench`). Prints p50/p95;
 * asserts nothing.
 *
 * Each run: LiveKit calls the phone's transfer number (answered), then `transferSipParticipant` to the phone's
 * transfer target, which answers at once.
 * - transfer → caller connected: the REFER is sent → the target answered the transferred caller (the phone's 200 OK
 *   to the transferee's INVITE, from the phone's log)
 * - transfer → API resolved: the REFER is sent → `transferSipParticipant` resolves (NOTIFY 200 reached LiveKit)
 *
 * Runs on its own state dir and ports (offset 700, or BENCH_PORT_OFFSET). Without livekit-sip nothing is measured, and it says why.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RoomServiceClient, SipClient } from 'livekit-server-sdk'
import { startSandbox } from '../src/index'

const RUNS = Number(process.env.BENCH_RUNS ?? 10)
const stateDir = mkdtempSync(join(tmpdir(), 'ringline-transfer-bench-'))

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(xs, 95).toFixed(0).padStart(5)} ms   (n=${xs.length})`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main() {
  const sandbox = await startSandbox({
    stateDir,
    portOffset: Number(process.env.BENCH_PORT_OFFSET ?? 700),
    log: false,
  })
  try {
    if (!sandbox.info.sip.available) {
      console.log(
        `transfer figures NOT measured: livekit-sip is unavailable (${sandbox.info.sip.unavailableReason})`,
      )
      return
    }
    const { url, apiKey, apiSecret } = sandbox.info.livekit
    const sip = new SipClient(url, apiKey, apiSecret)
    const rooms = new RoomServiceClient(url, apiKey, apiSecret)
    const { transfer: number, transferTarget: target } = sandbox.info.phone.numbers
    const connected: number[] = []
    const resolved: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const room = `bench-xfer-${i}-${Date.now().toString(36)}`
      await sip.createSipParticipant(sandbox.info.sip.outboundTrunkId, number, room, {
        participantIdentity: 'callee',
        waitUntilAnswered: true,
        ringingTimeout: 15,
      })
      // A REFER sent within milliseconds of the answer sometimes fails at once inside livekit-sip ("transaction
      // failed to complete (0 intermediate responses)", before any answer from the phone): transfer as a person would,
      // a moment later.
      await sleep(500)
      const t0 = Date.now()
      await sip.transferSipParticipant(room, 'callee', `tel:${target}`, { ringingTimeout: 15 })
      resolved.push(Date.now() - t0)
      const seen = await sandbox.phone.waitFor(
        target,
        (s) => s.calls.some((c) => c.direction === 'to-phone' && c.from === number && c.answeredAt !== null),
        { since: t0, timeoutMs: 20_000 },
      )
      const leg = seen.calls.find((c) => c.direction === 'to-phone' && c.from === number)!
      connected.push(leg.answeredAt! - t0)
      await rooms.deleteRoom(room).catch(() => undefined)
      await sleep(300)
    }
    console.log(`@ringline/sandbox transfer figures, ${RUNS} runs\n`)
    console.log(`transfer → caller connected   ${fmt(connected)}`)
    console.log(`transfer → API resolved       ${fmt(resolved)}`)
  } finally {
    await sandbox.stop()
    if (!process.env.BENCH_KEEP_STATE) rmSync(stateDir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
