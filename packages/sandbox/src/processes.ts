import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Binaries } from './binaries'
import type { ResolvedOptions } from './config'
import type { ConfigFiles } from './configFiles'
import { httpOk, redisPing, sipOptionsPing } from './health'
import { canBind, isAlive, isOurs, spawnDetached, stopProcess, waitFor } from './procs'
import { PROCESS_NAMES, type ProcessName, type ProcessRecord, readFileSafe } from './stateFile'

/** How to run the hub: `hub-main` next to this module, through tsx when running from source. */
function hubEntry(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url)
  const ext = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js'
  const entry = join(dirname(here), `hub-main${ext}`)
  if (ext === '.ts') {
    // Running from source (tests in this monorepo): load TypeScript through tsx.
    const tsx = createRequire(here).resolve('tsx')
    return { command: process.execPath, args: ['--import', pathToFileURL(tsx).href, entry] }
  }
  return { command: process.execPath, args: [entry] }
}

/**
 * Starts the stack's processes in order (Redis, the hub and the phone; then livekit-server; then
 * livekit-sip when there is one), each detached with its log in `files.logs`, and waits until each answers.
 * Every process is recorded in `started` as soon as it is spawned, so the caller can stop them on failure.
 */
export async function launchProcesses(
  o: ResolvedOptions,
  binaries: Binaries,
  files: ConfigFiles,
  started: Partial<Record<ProcessName, ProcessRecord>>,
): Promise<void> {
  const dir = o.stateDir
  const { logs, phoneDir, phoneTrace, phoneXml, hubJson } = files
  const launch = (
    name: ProcessName,
    command: string,
    args: string[],
    marker: string,
    stopSignal: NodeJS.Signals = 'SIGTERM',
    cwd = dir,
  ) => {
    const log = join(logs, `${name}.log`)
    writeFileSync(log, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`)
    const proc = spawnDetached(command, args, { cwd, logFile: log })
    started[name] = { pid: proc.pid, marker, log, stopSignal }
    let exitCode: number | null | undefined
    void proc.exited.then((c) => {
      exitCode = c
    })
    const abort = () => {
      if (exitCode === undefined && isAlive(proc.pid)) return undefined
      const tail = readFileSafe(log).trim().split('\n').slice(-6).join('\n    ')
      return `${name} exited (code ${exitCode ?? '?'}); last lines of ${log}:\n    ${tail}`
    }
    return abort
  }

  const hub = hubEntry()
  const redisAbort = launch(
    'redis',
    binaries.redisServer,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(o.ports.redis),
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
      '--dir',
      dir,
    ],
    'redis-server',
  )
  const hubAbort = launch('hub', hub.command, [...hub.args, hubJson], hubJson)
  const phoneAbort = launch(
    'phone',
    binaries.sipp,
    [
      '-sf',
      phoneXml,
      '-i',
      '127.0.0.1',
      '-p',
      String(o.ports.phone),
      '-mi',
      '127.0.0.1',
      '-mp',
      String(o.ports.phoneMedia),
      '-ci',
      '127.0.0.1',
      '-cp',
      String(o.ports.phoneControl),
      '-nostdin',
      '-key',
      'phone_rtp_port',
      String(o.ports.phoneRtp),
      '-trace_msg',
      '-message_file',
      phoneTrace,
      '-trace_err',
      '-error_file',
      join(logs, 'phone-errors.log'),
    ],
    phoneXml,
    'SIGTERM',
    phoneDir,
  )
  await Promise.all([
    waitFor('Redis', () => redisPing(o.ports.redis), { timeoutMs: 15_000, abort: redisAbort }),
    waitFor('the hub', () => httpOk(`http://127.0.0.1:${o.ports.hub}/health`), {
      timeoutMs: 20_000,
      abort: hubAbort,
    }),
    waitFor('the phone simulator (sipp)', async () => !(await canBind(o.ports.phone, 'udp')), {
      timeoutMs: 10_000,
      abort: phoneAbort,
    }),
  ])
  const livekitYamlPath = files.livekitYaml
  const lkAbort = launch(
    'livekit-server',
    binaries.livekitServer,
    ['--config', livekitYamlPath],
    livekitYamlPath,
  )
  await waitFor('livekit-server', () => httpOk(`http://127.0.0.1:${o.ports.livekit}/`), {
    timeoutMs: 30_000,
    abort: lkAbort,
  })
  if (binaries.livekitSip) {
    const sipYamlPath = files.sipYaml
    const sipAbort = launch(
      'livekit-sip',
      binaries.livekitSip,
      ['--config', sipYamlPath],
      sipYamlPath,
      'SIGINT',
    )
    await waitFor('livekit-sip', () => sipOptionsPing(o.ports.sip, 500), {
      timeoutMs: 30_000,
      abort: sipAbort,
    })
  }
}

/** Stops the recorded processes that still run what they were started with, in reverse start order. */
export async function stopProcesses(
  processes: Partial<Record<ProcessName, ProcessRecord>>,
): Promise<ProcessName[]> {
  const stopped: ProcessName[] = []
  for (const name of [...PROCESS_NAMES].reverse()) {
    const rec = processes[name]
    if (!rec || !isOurs(rec.pid, rec.marker)) continue
    await stopProcess(rec.pid, rec.stopSignal, name === 'livekit-sip' ? 3000 : 5000)
    stopped.push(name)
  }
  return stopped
}
