import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, delimiter, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Binaries } from './binaries'
import type { ResolvedOptions } from './config'
import type { ConfigFiles } from './configFiles'
import { httpAnswers, httpOk, redisPing, sipOptionsPing } from './health'
import { type PhoneStart, startPhoneProcess } from './phoneStart'
import { isAlive, isOurs, type SpawnedProcess, spawnDetached, stopProcess, waitFor } from './procs'
import { PROCESS_NAMES, type ProcessName, type ProcessRecord, readFileSafe } from './stateFile'

/** How to run the hub (or the local S3): `<name>` next to this module, through tsx when running from source. */
function hubEntry(name = 'hub-main'): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url)
  const ext = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js'
  const entry = join(dirname(here), `${name}${ext}`)
  if (ext === '.ts') {
    // Running from source (tests in this monorepo): load TypeScript through tsx.
    const tsx = createRequire(here).resolve('tsx')
    return { command: process.execPath, args: ['--import', pathToFileURL(tsx).href, entry] }
  }
  return { command: process.execPath, args: [entry] }
}

type Started = Partial<Record<ProcessName, ProcessRecord>>

/**
 * Spawns one process of the stack detached, its output in `<logs>/<name>.log`, and records it in `started`.
 * `abort()` says why it is gone (exit code and the last lines of its log) once it has exited, else undefined.
 */
function spawnRecorded(
  started: Started,
  logs: string,
  name: ProcessName,
  command: string,
  args: string[],
  marker: string,
  stopSignal: NodeJS.Signals,
  cwd: string,
  env?: NodeJS.ProcessEnv,
): { proc: SpawnedProcess; abort: () => string | undefined } {
  const log = join(logs, `${name}.log`)
  writeFileSync(log, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`)
  const proc = spawnDetached(command, args, { cwd, logFile: log, ...(env ? { env } : {}) })
  started[name] = {
    pid: proc.pid,
    marker,
    log,
    stopSignal,
    spawn: { command, args, cwd, ...(env?.PATH ? { path: env.PATH } : {}) },
  }
  let exitCode: number | null | undefined
  void proc.exited.then((c) => {
    exitCode = c
  })
  const abort = () => {
    if (exitCode === undefined && isAlive(proc.pid)) return undefined
    const tail = readFileSafe(log).trim().split('\n').slice(-6).join('\n    ')
    return `${name} exited (code ${exitCode ?? '?'}); last lines of ${log}:\n    ${tail}`
  }
  return { proc, abort }
}

/**
 * Starts the phone simulator (sipp with the sandbox's phone scenario, recorded in `started` as `phone`) and
 * resolves with its pid once it holds its ports; retries a start that fails to bind (see `startPhoneProcess`).
 */
export function startPhone(
  o: ResolvedOptions,
  sipp: string,
  files: ConfigFiles,
  started: Started,
  options: Pick<PhoneStart, 'retryDelaysMs' | 'timeoutMs'> = {},
): Promise<number> {
  const { logs, phoneDir, phoneTrace, phoneXml } = files
  const errorLog = join(logs, 'phone-errors.log')
  const args = [
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
    errorLog,
  ]
  return startPhoneProcess({
    spawn: () => spawnRecorded(started, logs, 'phone', sipp, args, phoneXml, 'SIGTERM', phoneDir).proc,
    ports: o.ports,
    errorLog,
    log: join(logs, 'phone.log'),
    onRetry: o.log,
    ...options,
  })
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
  started: Started,
): Promise<void> {
  const dir = o.stateDir
  const { logs, hubJson } = files
  const launch = (
    name: ProcessName,
    command: string,
    args: string[],
    marker: string,
    stopSignal: NodeJS.Signals = 'SIGTERM',
    cwd = dir,
    env?: NodeJS.ProcessEnv,
  ) => spawnRecorded(started, logs, name, command, args, marker, stopSignal, cwd, env).abort

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
  const s3 = hubEntry('s3-main')
  const s3Abort = launch('s3', s3.command, [...s3.args, files.s3Json], files.s3Json)
  await Promise.all([
    waitFor('Redis', () => redisPing(o.ports.redis), { timeoutMs: 15_000, abort: redisAbort }),
    waitFor('the hub', () => httpOk(`http://127.0.0.1:${o.ports.hub}/health`), {
      timeoutMs: 20_000,
      abort: hubAbort,
    }),
    startPhone(o, binaries.sipp, files, started),
    waitFor('the local S3 (s3rver)', () => httpAnswers(`http://127.0.0.1:${o.ports.s3}/`), {
      timeoutMs: 20_000,
      abort: s3Abort,
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
  if (binaries.egress) {
    // egress re-runs itself as `egress run-handler` for each recording: it must be on PATH under that name.
    const binDir = egressBinDir(binaries.egress, dir)
    const egressAbort = launch(
      'egress',
      join(binDir, 'egress'),
      ['--config', files.egressYaml],
      files.egressYaml,
      'SIGINT',
      dir,
      { ...o.env, PATH: [binDir, o.env.PATH].filter(Boolean).join(delimiter) },
    )
    await waitFor('egress', () => httpOk(`http://127.0.0.1:${o.ports.egressHealth}/`), {
      timeoutMs: 30_000,
      abort: egressAbort,
    })
  }
}

/**
 * A folder holding the egress binary under the name `egress` (the cached one is `egress-<version>`): the
 * binary's own folder when it is called that, else a symlink in the state dir.
 */
function egressBinDir(binary: string, stateDir: string): string {
  if (basename(binary) === 'egress') return dirname(binary)
  const binDir = join(stateDir, 'bin')
  mkdirSync(binDir, { recursive: true })
  const link = join(binDir, 'egress')
  rmSync(link, { force: true })
  symlinkSync(binary, link)
  return binDir
}

/** Stops the recorded processes that still run what they were started with, in reverse start order. */
export async function stopProcesses(
  processes: Partial<Record<ProcessName, ProcessRecord>>,
): Promise<ProcessName[]> {
  const stopped: ProcessName[] = []
  for (const name of [...PROCESS_NAMES].reverse()) {
    const rec = processes[name]
    if (!rec || !isOurs(rec.pid, rec.marker)) continue
    await stopProcess(
      rec.pid,
      rec.stopSignal,
      name === 'livekit-sip' ? 3000 : name === 'egress' ? 10_000 : 5000,
    )
    stopped.push(name)
  }
  return stopped
}
