// Participants' last mute state on a real LiveKit: rtc-node participants publish a microphone, mute it as a client's
// mute button does, and leave. LiveKit raises no webhook on the mute itself, but the leave unpublishes the track
// with `muted` as it was: the record gets it from there; the client's report (`POST /calls/:id/mute`) gives it live.
import type { CallParticipant } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` until it is truthy (generous: the machine is shared). */
async function until<T>(what: string, check: () => Promise<T>, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

describe('participant mute state on a real LiveKit', { timeout: 180_000 }, () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.close())

  it('a participant that muted and left is recorded muted, one that unmuted again not; reports show it live', async () => {
    const a = await h.post('alice', '/rooms/mutes/join')
    const b = await h.post('bob', '/rooms/mutes/join')
    expect(a.status, JSON.stringify(a.body)).toBe(200)
    const callId = a.body.room.callId as string
    const alice = await joinWithAudio(h.sandbox.livekit.wsUrl, a.body.connection.token)
    const bob = await joinWithAudio(h.sandbox.livekit.wsUrl, b.body.connection.token)
    const participants = async () => (await h.ringline.api.getCall(h.users.alice, callId)).participants
    const of = (ps: CallParticipant[], user: string) => ps.find((p) => p.identity === `${h.tenant}:${user}`)

    // Both microphones published unmuted: LiveKit's track_published says so.
    await until('both microphones published', async () => {
      const ps = await participants()
      return of(ps, 'alice')?.muted === false && of(ps, 'bob')?.muted === false
    })

    // Alice mutes (her client does not report it: only LiveKit will tell). Bob mutes and his client reports it.
    alice.setMuted(true)
    bob.setMuted(true)
    const reported = await h.post('bob', `/calls/${callId}/mute`, { muted: true })
    expect(reported.status, JSON.stringify(reported.body)).toBe(200)
    expect(reported.body).toEqual({ muted: true })
    expect(of(await participants(), 'bob')?.muted).toBe(true)
    // Carol is not in the call: she cannot report for it.
    const outsider = await h.post('carol', `/calls/${callId}/mute`, { muted: true })
    expect(outsider.status).toBe(403)
    expect(outsider.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'NOT_IN_CALL' } })

    // Bob unmutes again (reported too), then both leave.
    await sleep(1_000)
    bob.setMuted(false)
    expect((await h.post('bob', `/calls/${callId}/mute`, { muted: false })).body).toEqual({ muted: false })
    // Let LiveKit apply the mute requests before the leaves (they travel on the same signal connection).
    await sleep(1_500)
    await alice.stop()
    await bob.stop()

    const final = await until('both recorded gone', async () => {
      const ps = await participants()
      return of(ps, 'alice')?.leftAt && of(ps, 'bob')?.leftAt ? ps : null
    })
    // Wait for the leaves' track_unpublished too (same second as participant_left, possibly delivered later).
    const settled = await until('alice recorded muted', async () => {
      const ps = await participants()
      return of(ps, 'alice')?.muted === true ? ps : null
    }).catch(() => final)
    expect(of(settled, 'alice')).toMatchObject({ muted: true, kind: 'user' })
    expect(of(settled, 'bob')).toMatchObject({ muted: false, kind: 'user' })
    // After leaving, a report is refused and changes nothing.
    const late = await h.post('alice', `/calls/${callId}/mute`, { muted: false })
    expect([403, 409]).toContain(late.status)
    expect(of(await participants(), 'alice')?.muted).toBe(true)
  })
})
