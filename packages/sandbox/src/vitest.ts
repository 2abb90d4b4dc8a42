/**
 * Vitest global setup: starts the sandbox once (or attaches to a running one) and provides its info to every
 * test file as `inject('ringlineSandbox')`.
 *
 *   // vitest.config.ts
 *   test: { globalSetup: ['@ringline/sandbox/vitest'] }
 *
 *   // a test file
 *   import { inject } from 'vitest'
 *   import { connectSandbox } from '@ringline/sandbox'
 *   const sandbox = connectSandbox(inject('ringlineSandbox'))
 *
 * Options (webhook URL, ports, state dir) come from the RINGLINE_SANDBOX_* environment variables, or from a
 * setup file of your own: `export default sandboxGlobalSetup({ stateDir: '…' })`.
 * Set RINGLINE_SANDBOX_KEEP=1 to leave the stack running after the run (the next run attaches in ~50 ms).
 *
 * Tests that need livekit-sip (a real call) go in `describeWithSip(...)` / `itWithSip(...)`: without livekit-sip
 * they are reported as skipped with the reason in their name, and the setup prints, at the end of the run, how
 * many were not run and why.
 */
import { relative } from 'node:path'
import { describe, inject, it, type SuiteFactory, type TestFunction, type TestOptions } from 'vitest'
import type { TestProject } from 'vitest/node'
import { LIVEKIT_SIP_FIX } from './binaries'
import type { SandboxOptions } from './config'
import { sipIsAvailable } from './health'
import { type Sandbox, startSandbox } from './sandbox'
import type { SandboxInfo } from './types'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running Ringline sandbox (see @ringline/sandbox/vitest). */
    ringlineSandbox: SandboxInfo
  }
}

/** Text in the name of every test and suite skipped for want of livekit-sip (what the end-of-run summary counts). */
export const SIP_SKIP_MARKER = 'needs livekit-sip'

/** Text in the name of every test and suite that runs on livekit-sip (what the end-of-run summary counts). */
export const SIP_RUN_MARKER = '[livekit-sip]'

/** Text in the name of every suite skipped for want of egress (the summary counts those tests apart). */
export const EGRESS_SKIP_MARKER = '(skipped: needs egress: '

/** The name a test or suite gets when it runs on livekit-sip. */
export function sipRunName(name: string): string {
  return `${name} ${SIP_RUN_MARKER}`
}

/** Whether livekit-sip runs in a sandbox, and why not. */
export interface SipAvailability {
  available: boolean
  /** Why it is not available (undefined when it is). */
  reason: string | undefined
}

/** livekit-sip availability of `info` (default: this run's sandbox, `inject('ringlineSandbox')`). */
export function sipAvailability(info: Pick<SandboxInfo, 'sip'> = inject('ringlineSandbox')): SipAvailability {
  const available = info.sip.available !== false
  return { available, reason: available ? undefined : (info.sip.unavailableReason ?? 'unknown reason') }
}

/** True when livekit-sip runs in the sandbox (default: this run's sandbox, `inject('ringlineSandbox')`). */
export function sipAvailable(info?: Pick<SandboxInfo, 'sip'>): boolean {
  return sipAvailability(info).available
}

/** The name a test or suite gets when it is skipped because livekit-sip is unavailable. */
export function sipSkippedName(name: string, reason: string | undefined): string {
  return `${name} [skipped: ${SIP_SKIP_MARKER}, which is unavailable: ${reason ?? 'unknown reason'}]`
}

/** Arguments after the name, as `describe` takes them. */
export type DescribeWithSipArgs =
  | [fn?: SuiteFactory]
  | [fn: SuiteFactory, timeout: number]
  | [options: TestOptions, fn?: SuiteFactory]

/** Arguments after the name, as `it` takes them. */
export type ItWithSipArgs =
  | [fn?: TestFunction]
  | [fn: TestFunction, timeout: number]
  | [options: TestOptions, fn?: TestFunction]

/**
 * `describe` for tests that need livekit-sip (calls through the phone or LiveKit's SIP API). With livekit-sip it
 * is `describe`; without, `describe.skip` with the reason in the suite's name, so every test in it is reported
 * as skipped (and counted by the setup's end-of-run summary).
 */
export function describeWithSip(name: string, ...args: DescribeWithSipArgs): void {
  const sip = sipAvailability()
  const run = (sip.available ? describe : describe.skip) as (name: string, ...rest: unknown[]) => void
  run(sip.available ? sipRunName(name) : sipSkippedName(name, sip.reason), ...args)
}

/** Whether egress (recording) runs in the sandbox, and why not. */
export function egressAvailability(info: Pick<SandboxInfo, 'recording'> = inject('ringlineSandbox')): {
  available: boolean
  reason: string | undefined
} {
  const r = info.recording
  if (!r)
    return {
      available: false,
      reason: 'the sandbox was started by an older @ringline/sandbox without egress',
    }
  return { available: r.available, reason: r.unavailableReason }
}

/**
 * `describe` for tests that need egress (real recordings). Without egress, `describe.skip` with the reason in
 * the suite's name (RINGLINE_REQUIRE_EGRESS=1 makes the sandbox refuse to start instead).
 */
export function describeWithEgress(name: string, ...args: DescribeWithSipArgs): void {
  const egress = egressAvailability()
  const run = (egress.available ? describe : describe.skip) as (name: string, ...rest: unknown[]) => void
  run(
    egress.available
      ? `${name} [egress]`
      : `${name} ${EGRESS_SKIP_MARKER}${egress.reason ?? 'unknown reason'})`,
    ...args,
  )
}

/** `it` for one test that needs livekit-sip, in a suite whose other tests do not; skipped as `describeWithSip`. */
export function itWithSip(name: string, ...args: ItWithSipArgs): void {
  const sip = sipAvailability()
  const run = (sip.available ? it : it.skip) as (name: string, ...rest: unknown[]) => void
  run(sip.available ? sipRunName(name) : sipSkippedName(name, sip.reason), ...args)
}

/**
 * The end-of-run line of one project run with livekit-sip: its phone tests (names with the run marker) by outcome;
 * those skipped for want of egress (recording) are said apart, because livekit-sip did run. Null when it has none.
 */
export function sipSummaryLine(
  projectName: string,
  tests: Iterable<{ fullName: string; state: 'passed' | 'failed' | 'skipped' | 'pending' }>,
): string | null {
  const states = { passed: 0, failed: 0, skipped: 0, pending: 0 }
  let needEgress = 0
  for (const test of tests) {
    if (!test.fullName.includes(SIP_RUN_MARKER)) continue
    if (test.state === 'skipped' && test.fullName.includes(EGRESS_SKIP_MARKER)) needEgress += 1
    else states[test.state] += 1
  }
  const ran = states.passed + states.failed
  if (ran + states.skipped + states.pending + needEgress === 0) return null
  const skipped = states.skipped ? `, ${states.skipped} skipped` : ''
  const egress = needEgress
    ? `; ${needEgress} recording test${needEgress === 1 ? '' : 's'} on it not run: they need egress, which is not available`
    : ''
  return `project "${projectName}": ${ran} phone test${ran === 1 ? '' : 's'} ran on livekit-sip (${states.passed} passed, ${states.failed} failed${skipped})${egress}`
}

/** At the end of a run with livekit-sip: how many tests of `project` ran on it, and how they ended. */
function reportSipTests(project: TestProject): void {
  const out = (line: string) => process.stderr.write(`[ringline-sandbox] ${line}\n`)
  const tests: Array<{ fullName: string; state: 'passed' | 'failed' | 'skipped' | 'pending' }> = []
  try {
    for (const module of project.vitest.state.getTestModules()) {
      if (module.project.name !== project.name) continue
      for (const test of module.children.allTests())
        tests.push({ fullName: test.fullName, state: test.result().state })
    }
  } catch {
    out(`project "${project.name}": ran with livekit-sip (the per-test count is unavailable)`)
    return
  }
  const line = sipSummaryLine(project.name, tests)
  if (line) out(line)
}

/** At the end of a run without livekit-sip: how many tests of `project` were not run for want of it, and why. */
function reportSkippedSipTests(project: TestProject, info: SandboxInfo): void {
  const out = (line: string) => process.stderr.write(`[ringline-sandbox] ${line}\n`)
  const reason = info.sip.unavailableReason ?? 'unknown reason'
  const files: string[] = []
  let tests = 0
  let counted = false
  try {
    // The State API is marked experimental; without it the summary still says that SIP tests were skipped.
    for (const module of project.vitest.state.getTestModules()) {
      if (module.project.name !== project.name) continue
      let n = 0
      for (const test of module.children.allTests()) if (test.fullName.includes(SIP_SKIP_MARKER)) n++
      if (n === 0) continue
      tests += n
      files.push(`${relative(project.config.root, module.moduleId)} (${n})`)
    }
    counted = true
  } catch {}
  const bar = '='.repeat(100)
  out(bar)
  out(
    counted
      ? `project "${project.name}": ${tests} test${tests === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'} NOT RUN because livekit-sip is unavailable: ${reason}`
      : `project "${project.name}": tests that need livekit-sip were NOT RUN because it is unavailable: ${reason}`,
  )
  for (const f of files) out(`  ${f}`)
  out(`fix: ${LIVEKIT_SIP_FIX}. RINGLINE_REQUIRE_SIP=1 makes a missing livekit-sip fail the run.`)
  out(bar)
}

/** A vitest `globalSetup` function that starts (or reuses) the sandbox and provides `ringlineSandbox`. */
export function sandboxGlobalSetup(options: SandboxOptions = {}) {
  return async function setup(project: TestProject): Promise<() => Promise<void>> {
    const sandbox: Sandbox = await startSandbox({ reuse: true, ...options })
    project.provide('ringlineSandbox', sandbox.info)
    return async () => {
      if (!sipIsAvailable(sandbox.info)) reportSkippedSipTests(project, sandbox.info)
      else reportSipTests(project)
      if (process.env.RINGLINE_SANDBOX_KEEP === '1') await sandbox.detach()
      else await sandbox.stop()
    }
  }
}

export default sandboxGlobalSetup()
