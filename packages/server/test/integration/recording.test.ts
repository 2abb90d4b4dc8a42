import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { RecordingInfo } from '@ringline/core/protocol'
import { describeWithEgress, itWithSip } from '@ringline/sandbox/vitest'
import { AccessToken } from 'livekit-server-sdk'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'
import { parseOggOpus } from './oggOpus'

// Recording on the sandbox's real LiveKit egress (v1.14.0, GStreamer 1.22), uploading to its local S3 (s3rver):
// the server's recording service, egress webhooks and presigned playback against the real services. Needs egress
// (describeWithEgress: skipped with the reason without it; RINGLINE_REQUIRE_EGRESS=1 fails instead) and livekit-sip.
// Recordings take seconds to start and to upload, and the 2-core machine is shared: generous time.
describeWithEgress('recording on the real egress and S3', { timeout: 180_000 }, () => {
  let h: Harness
  let s3: NonNullable<Harness['sandbox']['recording']>['s3']

  beforeAll(async () => {
    s3 = inject('ringlineSandbox').recording!.s3
    h = await startHarness({
      recording: {
        // Phone calls on answer; browser rooms (internal) only when someone asks.
        policy: (call) => (call.direction === 'internal' ? 'on-demand' : 'on-answer'),
        storage: {
          bucket: s3.bucket,
          region: s3.region,
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
        },
      },
    })
  })
  afterAll(() => h?.close())

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  /** Polls the call's recording (as `GET /calls/:id` shows it) until `done` holds. */
  async function recordingOf(
    callId: string,
    done: (r: RecordingInfo) => boolean,
    timeoutMs: number,
  ): Promise<RecordingInfo> {
    const until = Date.now() + timeoutMs
    let last: RecordingInfo | null = null
    while (Date.now() < until) {
      last = (await h.ringline.api.getCall(h.users.alice, callId)).recording ?? null
      if (last && done(last)) return last
      await sleep(250)
    }
    throw new Error(
      `recording of ${callId} did not get there in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
    )
  }

  /** The objects s3rver holds for a call (`<dir>/<bucket>/<key>._S3rver_object`), keyed by object key. */
  function objectsOf(callId: string): Map<string, string> {
    const root = join(s3.directory, s3.bucket)
    const found = new Map<string, string>()
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else if (name.endsWith('._S3rver_object') && path.includes(`/${callId}/`))
          found.set(path.slice(root.length + 1, -'._S3rver_object'.length), path)
      }
    }
    walk(root)
    return found
  }

  /** A participant playing a 440 Hz tone in the call's room (a browser's stand-in), so the echo phone echoes it. */
  async function talker(roomName: string) {
    const token = new AccessToken(h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret, {
      identity: `talker-${Math.random().toString(36).slice(2, 8)}`,
      ttl: 600,
    })
    token.addGrant({ roomJoin: true, room: roomName })
    return joinWithAudio(h.sandbox.livekit.wsUrl, await token.toJwt())
  }

  itWithSip(
    'on answer: egress records the call, webhooks complete it, the Ogg/Opus object in S3 lasts as long as the call, playback serves it',
    async () => {
      const since = Date.now()
      const dialed = await h.post('alice', '/calls', { to: h.sandbox.phone.numbers.answer })
      expect(dialed.status, JSON.stringify(dialed.body)).toBe(201)
      const call = dialed.body.call as { id: string; roomName: string }
      await h.waitForEvent(
        (e) => e.type === 'call.updated' && e.call.id === call.id && e.call.status === 'in-progress',
      )
      const voice = await talker(call.roomName)
      try {
        const active = await recordingOf(call.id, (r) => r.status !== 'starting', 60_000)
        expect(active.status, JSON.stringify(active)).toBe('active')
        await sleep(8000)
        const hung = await h.post('alice', `/calls/${call.id}/hangup`)
        expect(hung.body.call.status).toBe('completed')
      } finally {
        await voice.stop()
      }
      const done = await recordingOf(
        call.id,
        (r) => r.status === 'completed' || r.status === 'failed',
        90_000,
      )
      expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', error: null })

      // The real webhooks drove it: egress_started then egress_ended, relayed by the sandbox for this room.
      const hooks = (await h.sandbox.webhooks.recent({ since })).filter(
        (w) => w.event.startsWith('egress_') && w.body.includes(call.roomName),
      )
      const events = hooks.map((w) => w.event)
      const statuses = hooks.map((w) => {
        const info = (JSON.parse(w.body) as { egressInfo?: { status?: string; fileResults?: unknown[] } })
          .egressInfo
        return `${w.event}:${info?.status ?? '?'}`
      })
      console.info(`[recording] egress webhooks: ${statuses.join(' → ')}`)
      expect(events).toContain('egress_started')
      expect(events).toContain('egress_ended')

      // In the local S3: the Ogg/Opus file and, beside it, egress's manifest `<egress id>.json` (real egress uploads
      // one; the MSW simulator does not). The file lasts as long as the stretch of the call it recorded (±1 s).
      const objects = [...objectsOf(call.id)]
      const files = objects.filter(([k]) => k.endsWith('.ogg'))
      const manifests = objects.filter(([k]) => /\/EG_\w+\.json$/.test(k))
      expect(
        objects.map(([k]) => k),
        `objects in ${s3.directory}`,
      ).toHaveLength(2)
      expect(files).toHaveLength(1)
      expect(manifests).toHaveLength(1)
      const [key, path] = files[0]!
      expect(key).toMatch(new RegExp(`^ringline/recordings/${h.tenant}/${call.id}/\\d{8}T\\d+Z\\.ogg$`))
      const stored = new Uint8Array(readFileSync(path))
      const ogg = parseOggOpus(stored)
      const detail = (await h.ringline.api.getCall(h.users.alice, call.id)).call
      const callSeconds = (Date.parse(detail.endedAt!) - Date.parse(detail.answeredAt!)) / 1000
      // The recording begins once egress has joined (after the answer); it ends with the call.
      const recordedSeconds = (Date.parse(detail.endedAt!) - Date.parse(done.startedAt!)) / 1000
      console.info(
        `[recording] call ${callSeconds.toFixed(2)} s answered→ended, egress ${recordedSeconds.toFixed(2)} s started→call end, egress reports ${done.durationSeconds} s, Ogg ${ogg.durationSeconds.toFixed(2)} s (${ogg.pages} pages, ${stored.length} bytes, granules ${ogg.firstGranule}..${ogg.lastGranule})`,
      )
      expect(ogg.channels).toBeGreaterThanOrEqual(1)
      expect(Math.abs(ogg.durationSeconds - recordedSeconds)).toBeLessThanOrEqual(1)
      expect(Math.abs(ogg.durationSeconds - (done.durationSeconds ?? 0))).toBeLessThanOrEqual(1)
      expect(done.sizeBytes).toBe(stored.length)

      // Playback: the server's presigned URL fetches exactly those bytes from the S3.
      const playback = await h.ringline.api.recordingPlayback(h.users.alice, call.id)
      expect(playback.contentType).toBe('audio/ogg')
      const res = await fetch(playback.url)
      expect(res.status, await res.clone().text()).toBe(200)
      expect(res.headers.get('content-type')).toBe('audio/ogg')
      const served = new Uint8Array(await res.arrayBuffer())
      expect(served.length).toBe(stored.length)
      expect(Buffer.compare(Buffer.from(served), Buffer.from(stored))).toBe(0)
    },
  )
  /** Dials the echo phone, waits for the answer and for the on-answer recording to be active; a tone plays in the room. */
  async function answeredAndRecording() {
    const dialed = await h.post('alice', '/calls', { to: h.sandbox.phone.numbers.answer })
    expect(dialed.status, JSON.stringify(dialed.body)).toBe(201)
    const call = dialed.body.call as { id: string; roomName: string }
    await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === call.id && e.call.status === 'in-progress',
    )
    const voice = await talker(call.roomName)
    const active = await recordingOf(call.id, (r) => r.status !== 'starting', 60_000)
    expect(active.status, JSON.stringify(active)).toBe('active')
    return { call, voice }
  }

  itWithSip(
    'stop mid-call: the recording completes with the stretch recorded, the call goes on',
    async () => {
      const { call, voice } = await answeredAndRecording()
      try {
        await sleep(5000)
        const stopped = await h.ringline.api.stopRecording(h.users.alice, call.id)
        expect(['stopping', 'completed']).toContain(stopped.recording.status)
        const stoppedAt = Date.now()
        const done = await recordingOf(
          call.id,
          (r) => r.status === 'completed' || r.status === 'failed',
          90_000,
        )
        expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', error: null })
        expect((await h.ringline.api.getCall(h.users.alice, call.id)).call.status).toBe('in-progress')
        const files = [...objectsOf(call.id)].filter(([k]) => k.endsWith('.ogg'))
        expect(files).toHaveLength(1)
        const ogg = parseOggOpus(new Uint8Array(readFileSync(files[0]![1])))
        const recordedSeconds = (stoppedAt - Date.parse(done.startedAt!)) / 1000
        console.info(
          `[recording] stopped: egress ${recordedSeconds.toFixed(2)} s started→stop, Ogg ${ogg.durationSeconds.toFixed(2)} s`,
        )
        expect(Math.abs(ogg.durationSeconds - recordedSeconds)).toBeLessThanOrEqual(1)
      } finally {
        await voice.stop()
        await h.post('alice', `/calls/${call.id}/hangup`)
      }
    },
  )

  itWithSip('egress handler killed mid-recording: the record says failed, the call goes on', async () => {
    const { call, voice } = await answeredAndRecording()
    try {
      await sleep(3000)
      // egress runs each recording in a child process (`egress run-handler`): kill that one, by pid.
      const service = JSON.parse(readFileSync(join(h.sandbox.stateDir, 'state.json'), 'utf8')).processes
        .egress.pid as number
      const handlers = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
            return ppid === service && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('run-handler')
          } catch {
            return false
          }
        })
        .map(Number)
      expect(handlers.length, 'egress run-handler processes').toBeGreaterThanOrEqual(1)
      for (const pid of handlers) process.kill(pid, 'SIGKILL')
      const done = await recordingOf(
        call.id,
        (r) => r.status === 'completed' || r.status === 'failed',
        90_000,
      )
      console.info(`[recording] handler killed: ${JSON.stringify(done)}`)
      expect(done.status).toBe('failed')
      expect(done.error).toBeTruthy()
      expect((await h.ringline.api.getCall(h.users.alice, call.id)).call.status).toBe('in-progress')
    } finally {
      await voice.stop()
      await h.post('alice', `/calls/${call.id}/hangup`)
    }
  })
  it('browser room recorded on request: start, end the room, the Ogg/Opus object covers the recorded stretch', async () => {
    const joined = await h.post('alice', '/rooms/rec-standup/join')
    expect(joined.status, JSON.stringify(joined.body)).toBe(200)
    const alice = await joinWithAudio(h.sandbox.livekit.wsUrl, joined.body.connection.token)
    try {
      const roomName = `int-${h.tenant}-rec-standup`
      await h.waitForEvent(
        (e) =>
          e.type === 'room.updated' &&
          e.room !== null &&
          e.room.participants.some((p) => p.joinedAt !== null),
      )
      const { rows } = await h.ringline.store.query<{ id: string }>(
        'SELECT id FROM ringline_calls WHERE room_name = $1 AND ended_at IS NULL',
        [roomName],
      )
      const callId = rows[0]!.id
      // Policy on-demand: nothing records until asked.
      expect((await h.ringline.api.getCall(h.users.alice, callId)).recording ?? null).toBeNull()
      const started = await h.ringline.api.startRecording(h.users.alice, callId)
      expect(started.recording.status).toBe('starting')
      const active = await recordingOf(callId, (r) => r.status !== 'starting', 60_000)
      expect(active.status, JSON.stringify(active)).toBe('active')
      await sleep(5000)
      expect((await h.post('alice', '/rooms/rec-standup/end')).status).toBe(200)
      const endedAt = Date.now()
      const done = await recordingOf(callId, (r) => r.status === 'completed' || r.status === 'failed', 90_000)
      expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', error: null })
      const files = [...objectsOf(callId)].filter(([k]) => k.endsWith('.ogg'))
      expect(files).toHaveLength(1)
      const ogg = parseOggOpus(new Uint8Array(readFileSync(files[0]![1])))
      const recordedSeconds = (endedAt - Date.parse(done.startedAt!)) / 1000
      console.info(
        `[recording] browser room: egress ${recordedSeconds.toFixed(2)} s started→end, reports ${done.durationSeconds} s, Ogg ${ogg.durationSeconds.toFixed(2)} s`,
      )
      expect(Math.abs(ogg.durationSeconds - recordedSeconds)).toBeLessThanOrEqual(1)
    } finally {
      await alice.stop().catch(() => undefined)
    }
  })
  itWithSip(
    'two recordings at once on 2 cores (cpu_cost 0.1): both complete, each file as long as its stretch',
    async () => {
      const both = await Promise.all([answeredAndRecording(), answeredAndRecording()])
      const done: RecordingInfo[] = []
      try {
        await sleep(5000)
        const hungAt: number[] = []
        for (const { call } of both) {
          expect((await h.post('alice', `/calls/${call.id}/hangup`)).body.call.status).toBe('completed')
          hungAt.push(Date.now())
        }
        for (const [i, { call }] of both.entries()) {
          const r = await recordingOf(
            call.id,
            (x) => x.status === 'completed' || x.status === 'failed',
            90_000,
          )
          expect(r, JSON.stringify(r)).toMatchObject({ status: 'completed', error: null })
          const files = [...objectsOf(call.id)].filter(([k]) => k.endsWith('.ogg'))
          expect(files).toHaveLength(1)
          const ogg = parseOggOpus(new Uint8Array(readFileSync(files[0]![1])))
          const recordedSeconds = (hungAt[i]! - Date.parse(r.startedAt!)) / 1000
          console.info(
            `[recording] concurrent #${i + 1}: egress ${recordedSeconds.toFixed(2)} s, Ogg ${ogg.durationSeconds.toFixed(2)} s`,
          )
          expect(Math.abs(ogg.durationSeconds - recordedSeconds)).toBeLessThanOrEqual(1)
          done.push(r)
        }
      } finally {
        for (const { voice } of both) await voice.stop()
      }
      expect(done).toHaveLength(2)
    },
  )
})
