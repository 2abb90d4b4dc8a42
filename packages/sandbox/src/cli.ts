#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SandboxSetupError } from './binaries'
import { egressUnavailableBanner, sipUnavailableBanner } from './health'
import { Phone } from './phone'
import { sandboxLogs, sandboxStatus, startSandbox, stopSandbox } from './sandbox'

const USAGE = `usage: ringline-sandbox <command> [options]

commands:
  up [--webhook-url URL]   start the sandbox (or reuse the running one), print KEY=value lines, leave it running
  down                     stop the processes this sandbox started
  status                   health of each process (exit code 1 when not healthy, or when RINGLINE_REQUIRE_SIP=1
                           and the sandbox runs without livekit-sip)
  call NUMBER [--hangup-after MS] [--dtmf DIGITS]
                           the sandbox phone calls NUMBER (e.g. a number Ringline provisioned) and prints
                           what happened; Ctrl-C (or --hangup-after while ringing) cancels, then hangs up
  logs [NAME] [-n LINES]   show the last lines of each log (or of NAME: redis, hub, phone, livekit-server,
                           livekit-sip, phone-messages, phone-errors)

options:
  --state-dir DIR          default .ringline/sandbox in the current directory (env RINGLINE_SANDBOX_DIR;
                           under a package manager script, the directory the command was typed in)
  --port-offset N          add N to every default port (env RINGLINE_SANDBOX_PORT_OFFSET)

ports and binaries are configured with environment variables; see the package README.`

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name)
  if (i < 0) return undefined
  const v = args[i + 1]
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`)
  args.splice(i, 2)
  return v
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv]
  const command = args.shift()
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 2
  }
  // Run through a package manager script (`pnpm --filter @ringline/sandbox cli up`), the state dir follows
  // the directory the command was typed in, not the package's own.
  const stateDir =
    arg(args, '--state-dir') ??
    (process.env.RINGLINE_SANDBOX_DIR || !process.env.INIT_CWD
      ? undefined
      : join(process.env.INIT_CWD, '.ringline', 'sandbox'))
  const portOffset = arg(args, '--port-offset')
  switch (command) {
    case 'up': {
      const webhookUrl = arg(args, '--webhook-url')
      const sandbox = await startSandbox({
        reuse: true,
        stateDir,
        webhookUrl,
        portOffset: portOffset === undefined ? undefined : Number(portOffset),
      })
      for (const [k, v] of Object.entries(sandbox.env)) console.log(`${k}=${v}`)
      return 0
    }
    case 'down': {
      await stopSandbox({ stateDir })
      return 0
    }
    case 'status': {
      const status = await sandboxStatus({ stateDir })
      if (!status.info) {
        console.log(`no sandbox recorded in ${status.stateDir}`)
        return 1
      }
      const withSip = status.info.sip.available !== false
      const withEgress = status.info.recording?.available === true
      console.log(
        `sandbox ${status.stateDir}: ${status.healthy ? 'healthy' : status.running ? 'NOT healthy' : 'stopped'}${withSip ? '' : ', WITHOUT SIP'}${withEgress ? '' : ', WITHOUT egress (no recording)'}`,
      )
      for (const p of status.processes) {
        console.log(`  ${p.name.padEnd(15)} ${String(p.pid ?? '-').padStart(7)}  ${p.detail}`)
      }
      if (!withSip) {
        console.log(`  ${sipUnavailableBanner(status.info.sip.unavailableReason)}`)
      }
      if (status.info.recording) {
        const r = status.info.recording
        console.log(
          `  recording: S3 ${r.s3.endpoint} bucket ${r.s3.bucket}; egress ${r.available ? r.egressHealthUrl : 'unavailable'}`,
        )
        if (!r.available) console.log(`  ${egressUnavailableBanner(r.unavailableReason)}`)
      }
      if (!withEgress && process.env.RINGLINE_REQUIRE_EGRESS === '1') {
        console.error('[ringline-sandbox] RINGLINE_REQUIRE_EGRESS=1 and this sandbox has no egress')
        return 1
      }
      if (status.healthy) for (const [k, v] of Object.entries(status.info.env)) console.log(`${k}=${v}`)
      // A sandbox without SIP is healthy as started; RINGLINE_REQUIRE_SIP=1 makes it a failure here too.
      if (!withSip && process.env.RINGLINE_REQUIRE_SIP === '1') {
        console.error('[ringline-sandbox] RINGLINE_REQUIRE_SIP=1 and this sandbox has no livekit-sip')
        return 1
      }
      return status.healthy ? 0 : 1
    }
    case 'call': {
      const hangupAfter = arg(args, '--hangup-after')
      const dtmf = arg(args, '--dtmf')
      const to = args.shift()
      if (!to) throw new Error('call needs a NUMBER, e.g. ringline-sandbox call +15550009001')
      const status = await sandboxStatus({ stateDir })
      if (!status.info || !status.healthy) {
        console.error('[ringline-sandbox] no healthy sandbox: run `ringline-sandbox up` first')
        return 1
      }
      const controller = new AbortController()
      process.once('SIGINT', () => controller.abort())
      // --hangup-after counts from the answer; a call still ringing by then is canceled.
      if (hangupAfter) setTimeout(() => controller.abort(), Number(hangupAfter)).unref()
      console.error(`[ringline-sandbox] calling ${to} from ${status.info.phone.defaultCaller}…`)
      const call = new Phone(status.info).call(to, {
        signal: controller.signal,
        ...(hangupAfter ? { hangupAfterMs: Number(hangupAfter) } : {}),
        ...(dtmf ? { dtmf } : {}),
        timeoutMs: 30 * 60_000,
      })
      void call.ringing.then((ringing) => ringing && console.error('[ringline-sandbox] ringing'))
      void call.answered.then((answered) => answered && console.error('[ringline-sandbox] answered'))
      const result = await call.result
      console.log(JSON.stringify(result, null, 2))
      return result.answered ? 0 : 1
    }
    case 'logs': {
      const nArg = arg(args, '-n')
      const lines = nArg ? Number(nArg) : 30
      const logs = sandboxLogs({ stateDir })
      const only = args.shift()
      const names = only ? [only] : Object.keys(logs)
      for (const name of names) {
        const file = logs[name]
        if (!file || !existsSync(file)) {
          console.log(`== ${name}: no log`)
          continue
        }
        console.log(`== ${name} (${file})`)
        console.log(readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'))
      }
      return 0
    }
    default:
      console.error(USAGE)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof SandboxSetupError) console.error(`[ringline-sandbox] ${e.message}`)
    else console.error(e)
    process.exit(1)
  },
)
