import { ListUpdate, SIPTransport } from '@livekit/protocol'
import { provisionNumber } from '../calls/inbound'
import { addressList, processEnv, resolveConfig } from '../config'
import type { RinglineContext } from '../context'
import { secretBoxFromEnv } from '../crypto/secretBox'
import { isNotFound, livekitAccessor } from '../livekit'
import { memoryStore } from '../sql/memoryStore'
import { pgliteStore } from '../sql/pgliteStore'
import { postgresStore } from '../sql/postgresStore'
import type { RinglineStore } from '../sql/types'
import { TWILIO_SIGNALING_ADDRESSES } from './signalingAddresses'
import { createSipSetupCommand, type SipSetupCommand } from './sipSetupCommand'
import { sqlTwilioOnboardingStore } from './sqlTwilioOnboardingStore'
import { credentialFingerprint, sameMembers } from './trunkFields'
import type { LivekitSipProvisioner } from './types'

/**
 * What {@link createLivekitSipProvisioner} needs: the store `provisionNumber` records into, LiveKit, and where the
 * inbound trunks accept INVITEs from (default Twilio's signalling ranges, `TWILIO_SIGNALING_ADDRESSES`).
 */
export type LivekitSipProvisionerContext = Pick<RinglineContext, 'store' | 'livekit'> & {
  inboundAllowedAddresses?: string[]
}

/** Metadata Ringline puts on the LiveKit outbound trunk it manages for a Twilio termination domain. */
interface OutboundMetadata {
  ringline?: { tenantId?: string; twilioTermination?: string; auth?: string }
}

function readMetadata(text: string | undefined): OutboundMetadata {
  try {
    return text ? (JSON.parse(text) as OutboundMetadata) : {}
  } catch {
    return {}
  }
}

/** A short one-way fingerprint of the digest credentials, so a rerun can tell whether they changed. */
async function ignoreNotFound(task: Promise<unknown>): Promise<void> {
  try {
    await task
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

/**
 * The LiveKit side of connecting a Twilio number, on livekit-server-sdk's `SipClient`. The inbound trunk and
 * dispatch rule come from `provisionNumber` (the same code as `ringline.api.provisionNumber`), the outbound
 * trunk points at the Twilio termination domain with the trunk's digest credentials. Every method is idempotent.
 * @example createTwilioOnboarding({ store, secretBox, livekit: createLivekitSipProvisioner({ store, livekit }) })
 */
export function createLivekitSipProvisioner(ctx: LivekitSipProvisionerContext): LivekitSipProvisioner {
  return {
    async provisionInbound({ e164, tenantId, policy, existing }) {
      const { sip } = ctx.livekit()
      // What exists before, only to report `created` or `reused`; provisionNumber itself reuses what it finds.
      const before = (await sip.listSipInboundTrunk({ numbers: [e164] })).filter((t) =>
        t.numbers.includes(e164),
      )
      const trunkIdsBefore = new Set(before.map((t) => t.sipTrunkId))
      if (existing?.trunkId) trunkIdsBefore.add(existing.trunkId)
      const rulesBefore = new Set<string>()
      if (before.length) {
        const rules = await sip.listSipDispatchRule({ trunkIds: before.map((t) => t.sipTrunkId) })
        for (const r of rules) rulesBefore.add(r.sipDispatchRuleId)
      }
      const row = await provisionNumber(ctx, {
        e164,
        tenantId,
        policy,
        allowedAddresses: ctx.inboundAllowedAddresses ?? [...TWILIO_SIGNALING_ADDRESSES],
      })
      const trunkId = row.livekitInboundTrunkId as string
      const ruleId = row.livekitDispatchRuleId as string
      return {
        trunkId,
        ruleId,
        trunkStatus: trunkIdsBefore.has(trunkId) ? 'reused' : 'created',
        ruleStatus: rulesBefore.has(ruleId) ? 'reused' : 'created',
      }
    },

    async ensureOutboundTrunk({ address, auth, tenantId, numbers, existingId }) {
      const { sip } = ctx.livekit()
      const sorted = [...new Set(numbers)].sort()
      const fingerprint = credentialFingerprint('outbound', auth.username, auth.password)
      const metadata = JSON.stringify({
        ringline: { tenantId, twilioTermination: address, auth: fingerprint },
      } satisfies OutboundMetadata)
      const all = await sip.listSipOutboundTrunk()
      const ours = (t: (typeof all)[number]) => {
        const m = readMetadata(t.metadata).ringline
        return m?.tenantId === tenantId && m.twilioTermination === address
      }
      const found = all.find((t) => existingId && t.sipTrunkId === existingId) ?? all.find(ours)
      if (!found) {
        const created = await sip.createSipOutboundTrunk(`ringline ${tenantId} ${address}`, address, sorted, {
          authUsername: auth.username,
          authPassword: auth.password,
          metadata,
          transport: SIPTransport.SIP_TRANSPORT_AUTO,
        })
        return { trunkId: created.sipTrunkId, status: 'created' }
      }
      const current = readMetadata(found.metadata).ringline
      if (found.address !== address) {
        // The update-by-fields API cannot change the address: update the whole trunk.
        found.address = address
        found.numbers = sorted
        found.authUsername = auth.username
        found.authPassword = auth.password
        found.metadata = metadata
        await sip.updateSipOutboundTrunk(found.sipTrunkId, found)
        return { trunkId: found.sipTrunkId, status: 'updated' }
      }
      if (
        current?.auth === fingerprint &&
        current.tenantId === tenantId &&
        found.authUsername === auth.username &&
        sameMembers(found.numbers, sorted)
      ) {
        return { trunkId: found.sipTrunkId, status: 'reused' }
      }
      await sip.updateSipOutboundTrunkFields(found.sipTrunkId, {
        numbers: new ListUpdate({ set: sorted }),
        authUsername: auth.username,
        authPassword: auth.password,
        metadata,
      })
      return { trunkId: found.sipTrunkId, status: 'updated' }
    },

    async removeInbound({ e164, tenantId, trunkId, ruleId }) {
      const { sip } = ctx.livekit()
      const trunkIds = new Set<string>()
      if (trunkId) trunkIds.add(trunkId)
      else {
        // No stored id: the trunk provisionNumber made for this number and tenant, never someone else's.
        for (const t of await sip.listSipInboundTrunk({ numbers: [e164] })) {
          const meta = readMetadata(t.metadata) as { ringline?: { tenantId?: string } }
          if (t.numbers.includes(e164) && meta.ringline?.tenantId === tenantId) trunkIds.add(t.sipTrunkId)
        }
      }
      const ruleIds = new Set<string>()
      if (ruleId) ruleIds.add(ruleId)
      if (trunkIds.size) {
        for (const r of await sip.listSipDispatchRule({ trunkIds: [...trunkIds] })) {
          // Only rules that route nothing but these trunks: a rule shared with other trunks stays.
          if (r.trunkIds.length && r.trunkIds.every((id) => trunkIds.has(id)))
            ruleIds.add(r.sipDispatchRuleId)
        }
      }
      for (const id of ruleIds) await ignoreNotFound(sip.deleteSipDispatchRule(id))
      for (const id of trunkIds) await ignoreNotFound(sip.deleteSipTrunk(id))
    },
  }
}

/**
 * `ringline sip setup` as the CLI runs it: LiveKit from LIVEKIT_URL/LIVEKIT_API_KEY/LIVEKIT_API_SECRET, records in
 * DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR (PGlite), migrated on first use, else in memory. With
 * RINGLINE_SECRET_KEY and a store, the Twilio credentials and termination password are kept (encrypted), so a
 * rerun reuses everything; without, a rerun reuses what Twilio and LiveKit have and rotates the termination password.
 */
export function createCliSipSetupCommand(
  deps: { env?: Record<string, string | undefined>; out?: (line: string) => void } = {},
): SipSetupCommand {
  const env = deps.env ?? processEnv()
  return {
    summary:
      'Connect a Twilio number to LiveKit SIP (trunk, origination URL, credentials, LiveKit trunks and rule); idempotent.',
    async run(args) {
      const configured = Boolean(env.DATABASE_URL || env.RINGLINE_DATA_DIR)
      let store: RinglineStore | undefined
      const open = (): RinglineStore => {
        store ??= env.DATABASE_URL
          ? postgresStore({ connectionString: env.DATABASE_URL })
          : env.RINGLINE_DATA_DIR
            ? pgliteStore({ dataDir: env.RINGLINE_DATA_DIR })
            : memoryStore()
        return store
      }
      const persist = configured && Boolean(env.RINGLINE_SECRET_KEY)
      const command = createSipSetupCommand({
        env,
        ...(deps.out ? { out: deps.out } : {}),
        livekit: () => {
          const config = resolveConfig({
            authorize: () => null,
            livekit: { url: env.LIVEKIT_URL, apiKey: env.LIVEKIT_API_KEY, apiSecret: env.LIVEKIT_API_SECRET },
          })
          const allowed = addressList(env.RINGLINE_SIP_ALLOWED_ADDRESSES)
          return createLivekitSipProvisioner({
            store: open(),
            livekit: livekitAccessor(config),
            ...(allowed ? { inboundAllowedAddresses: allowed } : {}),
          })
        },
        ...(persist
          ? { overrides: { store: sqlTwilioOnboardingStore(open()), secretBox: secretBoxFromEnv(env) } }
          : {}),
      })
      try {
        return await command.run(args)
      } finally {
        await store?.close()
      }
    },
  }
}
