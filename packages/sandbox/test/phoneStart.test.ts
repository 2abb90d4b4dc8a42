import { createSocket, type Socket } from 'node:dgram'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { findSystemBinaries } from '../src/binaries'
import { resolveOptions } from '../src/config'
import { writeConfigFiles } from '../src/configFiles'
import { PHONE_BIND_RETRY_DELAYS_MS } from '../src/phoneStart'
import { startPhone } from '../src/processes'
import { isAlive, portsOf, stopProcess } from '../src/procs'
import type { ProcessName, ProcessRecord } from '../src/stateFile'

// Only the phone simulator (real sipp) on ports of its own: 500 above the run's offset, clear of the shared
// sandbox and of the other tests' second sandboxes (300, 400).
const stateDir = mkdtempSync(join(tmpdir(), 'ringline-sandbox-phone-start-'))
const lines: string[] = []
const o = resolveOptions({
  stateDir,
  portOffset: 500 + Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0),
  log: (l) => lines.push(l),
})
const { sipp } = findSystemBinaries()
mkdirSync(join(stateDir, 'logs'), { recursive: true })
const files = writeConfigFiles(o, false, false, sipp)
let started: Partial<Record<ProcessName, ProcessRecord>> = {}
let held: Socket | undefined

/** Holds 127.0.0.1:port (UDP) in this process, as a previous test's phone still bound to it would. */
function hold(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4')
    sock.once('error', reject)
    sock.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(sock))
  })
}

const release = (sock: Socket) => new Promise<void>((r) => sock.close(() => r()))

afterEach(async () => {
  if (held) await release(held).catch(() => undefined)
  held = undefined
  if (started.phone) await stopProcess(started.phone.pid, 'SIGKILL', 1000)
  started = {}
  lines.length = 0
})

afterAll(() => rmSync(stateDir, { recursive: true, force: true }))

describe('starting the phone simulator while one of its ports is held', () => {
  test('held for 300 ms: sipp exits 254, the start waits, tries again and the phone comes up on its ports', async () => {
    const sock = await hold(o.ports.phone)
    held = sock
    setTimeout(() => void release(sock), 300)
    const pid = await startPhone(o, sipp, files, started)
    expect(started.phone?.pid).toBe(pid)
    expect(isAlive(pid)).toBe(true)
    const bound = portsOf(pid)
      .filter((b) => b.proto === 'udp')
      .map((b) => b.port)
    expect(bound).toEqual(
      expect.arrayContaining([
        o.ports.phone,
        o.ports.phoneMedia,
        o.ports.phoneMedia + 2,
        o.ports.phoneControl,
      ]),
    )
    // It did fail at first: at least one retry was logged.
    expect(lines.some((l) => /could not bind a port \(exit 254\); trying again/.test(l))).toBe(true)
  })

  test('held the whole time: the start fails naming the port, its holder and the end of phone-errors.log', async () => {
    held = await hold(o.ports.phone)
    const err = (await startPhone(o, sipp, files, started).catch((e: unknown) => e)) as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toContain(`could not bind UDP 127.0.0.1:${o.ports.phone} (its SIP port)`)
    expect(err.message).toContain(`${PHONE_BIND_RETRY_DELAYS_MS.length + 1} attempts`)
    expect(err.message).toContain(`held by process ${process.pid}`)
    expect(err.message).toContain(`last lines of ${join(files.logs, 'phone-errors.log')}`)
    expect(err.message).toMatch(/Unable to bind main socket.*Address already in use/)
    expect(err.message).toContain('RINGLINE_SANDBOX_PHONE_PORT=<port>')
    expect(lines).toHaveLength(PHONE_BIND_RETRY_DELAYS_MS.length)
    expect(isAlive(started.phone?.pid)).toBe(false)
  })

  test('the control port held: the error names that port, from sipp’s own message', async () => {
    held = await hold(o.ports.phoneControl)
    const err = (await startPhone(o, sipp, files, started, { retryDelaysMs: [50] }).catch(
      (e: unknown) => e,
    )) as Error
    expect(err.message).toContain(`could not bind UDP 127.0.0.1:${o.ports.phoneControl} (its control port)`)
    expect(err.message).toContain('2 attempts')
    expect(err.message).toMatch(/Unable to bind remote control socket/)
    expect(err.message).toContain('RINGLINE_SANDBOX_PHONE_CONTROL_PORT=<port>')
  })
})
