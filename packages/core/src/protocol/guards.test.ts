// The browser's light guards must accept everything the server's zod schemas accept (a guard that rejects a valid
// response breaks every client), and reject what they exist to catch. Checked field by field from the schemas' own
// shapes, so a field added to a schema but not to its guard fails here.
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { connectionFor, makeEvent, makeRecord } from '../testing/fakeServer'
import {
  callDetailSchema,
  callRecordSchema,
  callWithConnectionSchema,
  listCallsResponseSchema,
} from './calls'
import { ringlineEventSchema } from './events'
import {
  callDetailGuard,
  callWithConnectionGuard,
  listCallsResponseGuard,
  ringlineEventGuard,
} from './guards'

type Shape = Record<string, z.ZodType>

/** Values a zod field accepts that a fixture may not show: null, absence, every enum option. */
function acceptedVariants(field: z.ZodType): unknown[] {
  const out: unknown[] = []
  for (const candidate of [null, undefined]) if (field.safeParse(candidate).success) out.push(candidate)
  const options = (field as unknown as { options?: unknown[]; unwrap?: () => z.ZodType }).options
  if (Array.isArray(options)) out.push(...options.filter((o) => typeof o === 'string'))
  let inner: z.ZodType | undefined = field
  for (let i = 0; i < 3 && inner; i++) {
    const opts = (inner as unknown as { options?: unknown[] }).options
    if (Array.isArray(opts)) out.push(...opts.filter((o) => typeof o === 'string'))
    inner = (inner as unknown as { unwrap?: () => z.ZodType }).unwrap?.()
  }
  return out.filter((v) => field.safeParse(v).success)
}

describe('browser guards agree with the server schemas', () => {
  const record = makeRecord({ recordingUrl: null })
  const shape = (callRecordSchema as unknown as { shape: Shape }).shape

  it('the fixtures are valid for the schemas', () => {
    expect(callRecordSchema.safeParse(record).success).toBe(true)
  })

  it('every value a call record field may take passes the guards (responses and events)', () => {
    let checked = 0
    for (const [key, field] of Object.entries(shape)) {
      for (const value of acceptedVariants(field)) {
        const call = { ...record, [key]: value }
        if (value === undefined) delete (call as Record<string, unknown>)[key]
        expect(callRecordSchema.safeParse(call).success).toBe(true)
        const withConnection = { call, connection: connectionFor(record) }
        expect(callWithConnectionSchema.safeParse(withConnection).success).toBe(true)
        expect(callWithConnectionGuard.safeParse(withConnection).success, `${key}=${String(value)}`).toBe(
          true,
        )
        const list = { calls: [call], nextCursor: null }
        if (listCallsResponseSchema.safeParse(list).success)
          expect(listCallsResponseGuard.safeParse(list).success, `${key}=${String(value)}`).toBe(true)
        for (const type of ['call.incoming', 'call.updated', 'call.ended'] as const) {
          const event = { ...makeEvent(type, record), call }
          expect(ringlineEventSchema.safeParse(event).success).toBe(true)
          expect(ringlineEventGuard.safeParse(event).success, `${type} ${key}=${String(value)}`).toBe(true)
        }
        checked++
      }
    }
    expect(checked).toBeGreaterThan(Object.keys(shape).length / 2)
  })

  it('rejects a record whose fields have the wrong type, as the schema does', () => {
    for (const key of ['id', 'status', 'direction', 'roomName'] as const) {
      const call = { ...record, [key]: 42 }
      expect(callRecordSchema.safeParse(call).success).toBe(false)
      expect(
        callWithConnectionGuard.safeParse({ call, connection: connectionFor(record) }).success,
        key,
      ).toBe(false)
    }
    expect(
      ringlineEventGuard.safeParse({ ...makeEvent('call.updated', record), type: 'call.nope' }).success,
    ).toBe(false)
  })

  it('accepts the serverDial ring of call.incoming / call.updated and rejects a malformed one, as the schema does', () => {
    for (const type of ['call.incoming', 'call.updated'] as const) {
      const ok = {
        ...makeEvent(type, record),
        serverDial: { callSid: `CA${'1'.repeat(32)}`, answered: false },
      }
      expect(ringlineEventSchema.safeParse(ok).success).toBe(true)
      expect(ringlineEventGuard.safeParse(ok).success).toBe(true)
      const bad = { ...ok, serverDial: { callSid: 7, answered: 'no' } }
      expect(ringlineEventSchema.safeParse(bad).success).toBe(false)
      expect(ringlineEventGuard.safeParse(bad).success).toBe(false)
    }
  })

  it("keeps participants' duration and last mute state in GET /calls/:id", () => {
    const body = {
      call: record,
      participants: [
        {
          identity: 'user_ada',
          kind: 'user',
          name: 'Ada',
          joinedAt: record.startedAt,
          leftAt: null,
          durationSeconds: 12,
          muted: true,
        },
      ],
    }
    expect(callDetailSchema.parse(body).participants[0]).toMatchObject({ durationSeconds: 12, muted: true })
    const guarded = callDetailGuard.safeParse(body)
    expect(guarded.success && guarded.data.participants[0]).toMatchObject({
      durationSeconds: 12,
      muted: true,
    })
  })
})
