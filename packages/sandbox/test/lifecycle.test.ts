import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SipClient } from 'livekit-server-sdk'
import { afterAll, describe, expect, test } from 'vitest'
import { type Sandbox, sandboxStatus, startSandbox, stopSandbox } from '../src/index'
import { canBind, isAlive, portsOf } from '../src/procs'

// A second sandbox of its own, on other ports, so stopping it cannot disturb the shared one (300 above the
// run's own offset, so a run on RINGLINE_SANDBOX_PORT_OFFSET stays clear of the default ports).
const stateDir = mkdtempSync(join(tmpdir(), 'ringline-sandbox-lifecycle-'))
const portOffset = 300 + Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0)
const started: Sandbox[] = []

afterAll(async () => {
  await stopSandbox({ stateDir, log: false }).catch(() => undefined)
  rmSync(stateDir, { recursive: true, force: true })
})

describe('sandbox lifecycle', () => {
  test('concurrent starters: one starts, the other waits on the lock and attaches; reuse keeps the ids', async () => {
    const [a, b] = await Promise.all([
      startSandbox({ stateDir, portOffset, reuse: true, log: false }),
      startSandbox({ stateDir, portOffset, reuse: true, log: false }),
    ])
    started.push(a, b)
    expect([a.reused, b.reused].sort()).toEqual([false, true])
    expect(a.sip.outboundTrunkId).toBe(b.sip.outboundTrunkId)
    expect(a.livekit.url).toBe(`http://127.0.0.1:${7880 + portOffset}`)

    // Without reuse, a running sandbox is an error that says what to do.
    await expect(startSandbox({ stateDir, portOffset, log: false })).rejects.toThrow(
      /already running[\s\S]*reuse: true/,
    )

    // The attached one's stop() leaves the stack running.
    const attached = a.reused ? a : b
    await attached.stop()
    expect((await sandboxStatus({ stateDir })).healthy).toBe(true)

    // Provisioning is idempotent: the resources exist once each.
    const sip = new SipClient(a.livekit.url, a.livekit.apiKey, a.livekit.apiSecret)
    expect(
      (await sip.listSipOutboundTrunk()).filter((t) => t.name === 'ringline-sandbox-outbound'),
    ).toHaveLength(1)
    expect(
      (await sip.listSipInboundTrunk()).filter((t) => t.name === 'ringline-sandbox-inbound'),
    ).toHaveLength(1)
    expect(
      (await sip.listSipDispatchRule()).filter((r) => r.name === 'ringline-sandbox-dispatch'),
    ).toHaveLength(1)
  })

  test('every process listens on 127.0.0.1 only (livekit-sip RTP and egress health excepted: they bind every interface)', async () => {
    const status = await sandboxStatus({ stateDir })
    // Without livekit-sip (info.sip.available false) or egress, their entries are skipped: nothing to check.
    const started = status.processes.filter((p) => !p.skipped)
    expect(started.map((p) => p.name)).toEqual([
      'redis',
      'hub',
      'phone',
      's3',
      'livekit-server',
      ...(status.info!.sip.available ? ['livekit-sip'] : []),
      ...(status.info!.recording?.available ? ['egress'] : []),
    ])
    for (const p of started) {
      const bound = portsOf(p.pid!)
      expect(bound.length, `${p.name} binds something`).toBeGreaterThan(0)
      for (const b of bound) {
        if (
          p.name === 'livekit-sip' &&
          b.proto === 'udp' &&
          b.port >= 10000 + portOffset &&
          b.port <= 10099 + portOffset
        )
          continue
        // egress v1.14.0 serves its health endpoint on ":<health_port>" (every interface), hard-coded.
        if (p.name === 'egress' && b.proto === 'tcp' && b.port === 7895 + portOffset) continue
        expect(`${p.name} ${b.proto} ${b.address}:${b.port}`).toMatch(/ 127\.0\.0\.1:\d+$/)
      }
    }
  })

  test('failure drills: stopProcess kills one process by its pid, startProcess brings it back on its ports', async () => {
    const starter = started.find((s) => !s.reused)!
    const before = await sandboxStatus({ stateDir })
    const hub = before.processes.find((p) => p.name === 'hub')!
    const others = before.processes.filter((p) => !p.skipped && p.name !== 'hub').map((p) => p.pid!)
    await starter.stopProcess('hub')
    expect(isAlive(hub.pid)).toBe(false)
    const down = await sandboxStatus({ stateDir })
    expect(down.healthy).toBe(false)
    expect(down.processes.find((p) => p.name === 'hub')).toMatchObject({ running: false, healthy: false })
    expect(others.every((pid) => isAlive(pid))).toBe(true) // the rest of the stack keeps running
    await starter.startProcess('hub')
    const up = await sandboxStatus({ stateDir })
    expect(up.healthy).toBe(true)
    const again = up.processes.find((p) => p.name === 'hub')!
    expect(again.pid).not.toBe(hub.pid)
    expect(portsOf(again.pid!).some((b) => b.proto === 'tcp' && b.port === starter.ports.hub)).toBe(true)
    await starter.startProcess('hub') // a no-op while it runs
    expect((await sandboxStatus({ stateDir })).processes.find((p) => p.name === 'hub')!.pid).toBe(again.pid)
  })

  test('failure drills: the phone comes back even when its SIP port is still held for a moment', async () => {
    const starter = started.find((s) => !s.reused)!
    const phone = (await sandboxStatus({ stateDir })).processes.find((p) => p.name === 'phone')!
    await starter.stopProcess('phone')
    expect(isAlive(phone.pid)).toBe(false)
    const sock = createSocket('udp4')
    await new Promise<void>((r) =>
      sock.bind({ port: starter.ports.phone, address: '127.0.0.1', exclusive: true }, r),
    )
    setTimeout(() => sock.close(), 300)
    await starter.startProcess('phone')
    const again = (await sandboxStatus({ stateDir })).processes.find((p) => p.name === 'phone')!
    expect(again.pid).not.toBe(phone.pid)
    expect(isAlive(again.pid)).toBe(true)
    expect(portsOf(again.pid!).some((b) => b.proto === 'udp' && b.port === starter.ports.phone)).toBe(true)
  })

  test('the starter stopping while another user is attached hands over; the last one out stops every process and frees every port', async () => {
    const starter = started.find((s) => !s.reused)!
    const status = await sandboxStatus({ stateDir })
    const pids = status.processes.filter((p) => !p.skipped).map((p) => p.pid!)
    expect(pids.every((pid) => isAlive(pid))).toBe(true)
    const ports = Object.entries(starter.ports).filter(([, port]) => port > 0)

    const late = await startSandbox({ stateDir, portOffset, reuse: true, log: false })
    expect(late.reused).toBe(true)
    await starter.stop()
    expect((await sandboxStatus({ stateDir })).healthy).toBe(true) // still in use by `late`
    await late.stop()
    expect(pids.filter((pid) => isAlive(pid))).toEqual([])
    for (const [name, port] of ports) {
      if (name === 'sipRtpEnd' || name === 'sipRtpStart') continue
      expect(await canBind(port, 'udp'), `${name} udp ${port}`).toBe(true)
      expect(await canBind(port, 'tcp'), `${name} tcp ${port}`).toBe(true)
    }
    expect((await sandboxStatus({ stateDir })).info).toBeUndefined()
    // The logs are kept for inspection.
    expect(readFileSync(join(stateDir, 'logs', 'livekit-server.log'), 'utf8')).toContain(
      'starting LiveKit server',
    )
  })
})
