// `ringline doctor` against the sandbox's real livekit-server: keys, trunks and dispatch rules, the public URL.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RoomConfiguration } from '@livekit/protocol'
import { startSandbox, stopSandbox } from '@ringline/sandbox'
import { SipClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DoctorCheck, runDoctor } from '../../src/doctor'
import { inboundRoomMetadata } from '../../src/tokens'
import { type Harness, startHarness } from './harness'

const byName = (checks: DoctorCheck[], name: string) => checks.find((c) => c.name === name)

describe('ringline doctor on the sandbox', () => {
  let h: Harness
  let env: Record<string, string>
  let cleanup: { trunk: string; rule: string } | undefined
  beforeAll(async () => {
    h = await startHarness()
    // A number only for this test: it is provisioned (trunk + dispatch rule), never called.
    const connection = await h.ringline.api.provisionNumber({ e164: '+15550009099', tenantId: h.tenant })
    cleanup = { trunk: connection.livekitInboundTrunkId ?? '', rule: connection.livekitDispatchRuleId ?? '' }
    env = {
      LIVEKIT_URL: h.sandbox.livekit.url,
      LIVEKIT_API_KEY: h.sandbox.livekit.apiKey,
      LIVEKIT_API_SECRET: h.sandbox.livekit.apiSecret,
      LIVEKIT_SIP_OUTBOUND_TRUNK_ID: h.sandbox.sip.outboundTrunkId,
      RINGLINE_CALLER_ID: h.sandbox.sip.callerId,
      RINGLINE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      RINGLINE_PUBLIC_URL: h.baseUrl,
    }
  })
  afterAll(async () => {
    if (cleanup) {
      const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
      await sip.deleteSipDispatchRule(cleanup.rule).catch(() => undefined)
      await sip.deleteSipTrunk(cleanup.trunk).catch(() => undefined)
    }
    await h.close()
  })

  it('finds LiveKit, the outbound trunk, the dispatch rule to Ringline rooms and the public URL', async () => {
    const checks = await runDoctor({ env, store: h.ringline.store })
    expect(byName(checks, 'livekit')?.status).toBe('ok')
    expect(byName(checks, 'sip.outbound')).toMatchObject({ status: 'ok' })
    expect(byName(checks, 'sip.inbound')?.status).toBe('ok')
    expect(byName(checks, 'sip.inbound')?.text).toMatch(/\d+ dispatch rule\(s\) ring Ringline/)
    expect(byName(checks, 'public-url')?.status).toBe('ok')
    // The sandbox's own inbound trunk only accepts 127.0.0.1: it is never reported as open.
    const open = byName(checks, 'sip.inbound.open')
    expect(open?.text ?? '').not.toContain(h.sandbox.sip.inboundTrunkId)
    expect(checks.filter((c) => c.status === 'fail')).toEqual([])
  })

  it('warns about an inbound trunk open to any address without credentials, naming it', async () => {
    const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
    const open = await sip.createSipInboundTrunk('ringline-doctor-open', ['+15550009098'])
    try {
      const checks = await runDoctor({ env, store: null })
      expect(byName(checks, 'sip.inbound.open')).toMatchObject({ status: 'warn' })
      expect(byName(checks, 'sip.inbound.open')?.text).toContain(open.sipTrunkId)
      expect(byName(checks, 'sip.inbound.open')?.text).toContain('set allowed addresses')
    } finally {
      await sip.deleteSipTrunk(open.sipTrunkId).catch(() => undefined)
    }
  })

  it('warns about a trunk Ringline created that no dispatch rule routes, naming it; a routed one is not named', async () => {
    const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
    // As provisionNumber creates it (metadata naming the tenant), but without its dispatch rule.
    const orphan = await sip.createSipInboundTrunk('ringline-doctor-unrouted', ['+15550009097'], {
      metadata: JSON.stringify({ ringline: { tenantId: h.tenant } }),
      allowedAddresses: ['127.0.0.1'],
    })
    try {
      const checks = await runDoctor({ env, store: null })
      const unrouted = byName(checks, 'sip.inbound.unrouted')
      expect(unrouted).toMatchObject({ status: 'warn' })
      expect(unrouted?.text).toContain(`${orphan.sipTrunkId} +15550009097`)
      // The number beforeAll provisioned has its rule: not named.
      expect(unrouted?.text).not.toContain(cleanup?.trunk ?? 'no trunk')
    } finally {
      await sip.deleteSipTrunk(orphan.sipTrunkId).catch(() => undefined)
    }
    const after = await runDoctor({ env, store: null })
    expect(byName(after, 'sip.inbound.unrouted')?.text ?? '').not.toContain(orphan.sipTrunkId)
  })

  it('tells about a dispatch rule Ringline made before rooms carried metadata (its calls ring on join), naming it', async () => {
    const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
    const trunk = await sip.createSipInboundTrunk('ringline-doctor-old-rule', ['+15550009096'], {
      metadata: JSON.stringify({ ringline: { tenantId: h.tenant } }),
      allowedAddresses: ['127.0.0.1'],
    })
    // As provisionNumber made rules before: the attributes, no room metadata.
    const old = await sip.createSipDispatchRule(
      { type: 'individual', roomPrefix: `in-${h.tenant}` },
      {
        trunkIds: [trunk.sipTrunkId],
        attributes: { 'ringline.tenant': h.tenant, 'ringline.number': '+15550009096' },
      },
    )
    try {
      const checks = await runDoctor({ env, store: null })
      const late = byName(checks, 'sip.inbound.ring-on-join')
      expect(late).toMatchObject({ status: 'info' })
      expect(late?.text).toContain(old.sipDispatchRuleId)
      // The rule beforeAll provisioned has the metadata: not named.
      expect(late?.text).not.toContain(cleanup?.rule ?? 'no rule')
    } finally {
      await sip.deleteSipDispatchRule(old.sipDispatchRuleId).catch(() => undefined)
      await sip.deleteSipTrunk(trunk.sipTrunkId).catch(() => undefined)
    }
    const after = await runDoctor({ env, store: null })
    expect(byName(after, 'sip.inbound.ring-on-join')?.text ?? '').not.toContain(old.sipDispatchRuleId)
  })

  it('tells about a dispatch rule without the empty timeout of rooms nobody joined, naming it', async () => {
    const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
    const trunk = await sip.createSipInboundTrunk('ringline-doctor-no-timeout', ['+15550009097'], {
      metadata: JSON.stringify({ ringline: { tenantId: h.tenant } }),
      allowedAddresses: ['127.0.0.1'],
    })
    // As provisionNumber made rules before the empty timeout: attributes and room metadata, no timeout.
    const old = await sip.createSipDispatchRule(
      { type: 'individual', roomPrefix: `in-${h.tenant}` },
      {
        trunkIds: [trunk.sipTrunkId],
        attributes: { 'ringline.tenant': h.tenant, 'ringline.number': '+15550009097' },
        roomConfig: new RoomConfiguration({ metadata: inboundRoomMetadata(h.tenant, '+15550009097') }),
      },
    )
    try {
      const checks = await runDoctor({ env, store: null })
      const lingering = byName(checks, 'sip.inbound.room-timeout')
      expect(lingering).toMatchObject({ status: 'info' })
      expect(lingering?.text).toContain(old.sipDispatchRuleId)
      // The rule beforeAll provisioned has the timeout: not named, and this one has the metadata: no ring-on-join.
      expect(lingering?.text).not.toContain(cleanup?.rule ?? 'no rule')
      expect(byName(checks, 'sip.inbound.ring-on-join')?.text ?? '').not.toContain(old.sipDispatchRuleId)
    } finally {
      await sip.deleteSipDispatchRule(old.sipDispatchRuleId).catch(() => undefined)
      await sip.deleteSipTrunk(trunk.sipTrunkId).catch(() => undefined)
    }
  })

  it("tries the sandbox's recording bucket (its local S3) with the key pair `ringline-sandbox up` prints", async () => {
    const recording = Object.fromEntries(
      Object.entries(h.sandbox.info.env).filter(([k]) => k.startsWith('RINGLINE_RECORDING_')),
    )
    expect(recording.RINGLINE_RECORDING_BUCKET, 'the sandbox prints its bucket').toBeTruthy()
    const good = await runDoctor({ env: { ...env, ...recording }, store: null })
    expect(byName(good, 'recording')).toMatchObject({ status: 'ok' })
    expect(byName(good, 'recording')?.text).toContain(`bucket ${recording.RINGLINE_RECORDING_BUCKET} at`)
    const noBucket = await runDoctor({
      env: { ...env, ...recording, RINGLINE_RECORDING_BUCKET: 'ringline-doctor-no-such-bucket' },
      store: null,
    })
    expect(byName(noBucket, 'recording')).toMatchObject({ status: 'fail' })
    expect(byName(noBucket, 'recording')?.text).toContain('the bucket does not exist')
  })

  it('fails on a trunk LiveKit does not have and on a wrong key pair', async () => {
    const noTrunk = await runDoctor({
      env: { ...env, LIVEKIT_SIP_OUTBOUND_TRUNK_ID: 'ST_missing' },
      store: null,
    })
    expect(byName(noTrunk, 'sip.outbound')).toMatchObject({ status: 'fail' })
    expect(byName(noTrunk, 'sip.outbound')?.text).toContain('ringline sip setup')
    const wrongSecret = 'not-the-sandbox-secret-not-the-sandbox-secret'
    const badKeys = await runDoctor({ env: { ...env, LIVEKIT_API_SECRET: wrongSecret }, store: null })
    expect(byName(badKeys, 'livekit')).toMatchObject({ status: 'fail' })
    expect(JSON.stringify(badKeys)).not.toContain(wrongSecret)
  })
})

describe('ringline doctor on a LiveKit where no rule routes calls to Ringline', () => {
  // A second sandbox of its own (500 above the run's port offset; the sandbox package's tests use 300 and 400): its
  // LiveKit has the sandbox's inbound trunk, whose rule sends calls to `sandbox…` rooms, and no Ringline rule.
  const stateDir = mkdtempSync(join(tmpdir(), 'ringline-doctor-bare-'))
  const portOffset = 500 + Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0)
  afterAll(async () => {
    await stopSandbox({ stateDir, log: false }).catch(() => undefined)
    rmSync(stateDir, { recursive: true, force: true })
  })

  it('fails sip.inbound: inbound trunks exist, but none rings Ringline', async () => {
    const bare = await startSandbox({ stateDir, portOffset, log: false })
    const checks = await runDoctor({
      env: {
        LIVEKIT_URL: bare.livekit.url,
        LIVEKIT_API_KEY: bare.livekit.apiKey,
        LIVEKIT_API_SECRET: bare.livekit.apiSecret,
      },
      store: null,
    })
    expect(byName(checks, 'livekit')?.status).toBe('ok')
    expect(byName(checks, 'sip.inbound')).toEqual({
      status: 'fail',
      name: 'sip.inbound',
      text: '1 inbound trunk(s) but no dispatch rule sends calls to Ringline rooms (in-…): run `ringline sip setup`.',
    })
  })
})
