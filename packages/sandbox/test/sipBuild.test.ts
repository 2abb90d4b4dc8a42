import { spawnSync } from 'node:child_process'
import { basename } from 'node:path'
import { expect, test } from 'vitest'
import { LIVEKIT_SIP_BUILD } from '../src/index'
import { describeWithSip } from '../src/vitest'
import { info } from './helpers'

describeWithSip('the sandbox’s livekit-sip', () => {
  // The run's livekit-sip is the one build-binaries.sh built (CI), or one the machine provides (LIVEKIT_SIP_BIN,
  // PATH), which is used as it is: only the built one is checked for the sipgo fix.
  test('built here: it carries the fix of sipgo’s ClientTx.Init race (the sipgo it pins, replaced by the patched copy)', () => {
    const bin = info.binaries.livekitSip!
    const built = basename(bin) === `livekit-sip-${LIVEKIT_SIP_BUILD}`
    expect(built || Boolean(process.env.LIVEKIT_SIP_BIN) || !bin.includes('/.cache/ringline/')).toBe(true)
    if (!built) return
    const mod = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' })
    expect(mod.status, mod.stderr).toBe(0)
    expect(mod.stdout).toMatch(/\tdep\tgithub\.com\/livekit\/sipgo\t\S+\n\t=>\t\S+\/sipgo\t/)
  })
})
