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
 */
import type {} from 'vitest'
import type { TestProject } from 'vitest/node'
import type { SandboxOptions } from './config'
import { type Sandbox, startSandbox } from './sandbox'
import type { SandboxInfo } from './types'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running Ringline sandbox (see @ringline/sandbox/vitest). */
    ringlineSandbox: SandboxInfo
  }
}

/** A vitest `globalSetup` function that starts (or reuses) the sandbox and provides `ringlineSandbox`. */
export function sandboxGlobalSetup(options: SandboxOptions = {}) {
  return async function setup(project: TestProject): Promise<() => Promise<void>> {
    const sandbox: Sandbox = await startSandbox({ reuse: true, ...options })
    project.provide('ringlineSandbox', sandbox.info)
    return async () => {
      if (process.env.RINGLINE_SANDBOX_KEEP === '1') await sandbox.detach()
      else await sandbox.stop()
    }
  }
}

export default sandboxGlobalSetup()
