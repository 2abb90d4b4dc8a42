import { type CallClientLike, createRinglineApi, RinglineProvider } from '@ringline/react'
import {
  createFakeApi,
  createFakeCallClient,
  type FakeApi,
  type FakeApiOptions,
  type FakeCallClient,
  type FakeCallClientOptions,
} from '@ringline/react/testing'
import { delay, HttpResponse, http, type RequestHandler } from 'msw'
import { type ReactNode, useState } from 'react'

/** The API base the stories call; absolute so it also works under vitest's jsdom. */
export function apiBase(): string {
  const origin =
    typeof location !== 'undefined' && location.origin !== 'null' ? location.origin : 'http://localhost'
  return `${origin}/api/ringline`
}

/** A fake call client in a fixed state (stories show states; Phone runs core's real client), HTTP through MSW. */
export function storyClient(options: FakeCallClientOptions = {}): FakeCallClient {
  return createFakeCallClient({ ...options, api: createRinglineApi({ baseUrl: apiBase() }) })
}

/** Renders children under a RinglineProvider with a client created once per mount. */
export function WithClient({ client, children }: { client: () => CallClientLike; children: ReactNode }) {
  const [instance] = useState(client)
  return <RinglineProvider client={instance}>{children}</RinglineProvider>
}

/** MSW handlers serving the Ringline routes from an in-memory fake API (errors as `{ error: { code } }`). */
export function ringlineHandlers(
  options: FakeApiOptions | FakeApi = {},
  extra: { hang?: Array<'calls' | 'numbers' | 'connect' | 'verify' | 'voiceStatus' | 'voiceConfigure'> } = {},
): RequestHandler[] {
  const fake = 'twilio' in options ? options : createFakeApi(options)
  const base = '*/api/ringline'
  const run = async (hang: boolean, fn: () => Promise<unknown>) => {
    if (hang) await delay('infinite')
    try {
      const body = await fn()
      return body === undefined ? new HttpResponse(null, { status: 204 }) : HttpResponse.json(body as object)
    } catch (error) {
      const e = error as { code?: string; message?: string; status?: number }
      return HttpResponse.json(
        { error: { code: e.code ?? 'INTERNAL', message: e.message ?? 'Error', requestId: 'req_story' } },
        { status: e.status ?? 500 },
      )
    }
  }
  const hang = (name: NonNullable<typeof extra.hang>[number]) => extra.hang?.includes(name) ?? false
  const voice = fake.twilioVoice
  return [
    http.get(`${base}/calls`, ({ request }) =>
      run(hang('calls'), () =>
        fake.listCalls(Object.fromEntries(new URL(request.url).searchParams) as never),
      ),
    ),
    http.get(`${base}/calls/:id`, ({ params }) => run(false, () => fake.getCall(String(params.id)))),
    http.post(`${base}/rooms/:name/end`, ({ params }) => run(false, () => fake.endRoom(String(params.name)))),
    http.post(`${base}/twilio/credentials/verify`, async ({ request }) => {
      const body = (await request.json()) as never
      return run(hang('verify'), () => fake.twilio.verifyCredentials(body))
    }),
    http.put(`${base}/twilio/credentials`, async ({ request }) => {
      const body = (await request.json()) as never
      return run(false, () => fake.twilio.saveCredentials(body))
    }),
    http.get(`${base}/twilio/credentials`, () =>
      run(hang('numbers'), async () =>
        fake.twilio.getCredentials ? fake.twilio.getCredentials() : { integration: null },
      ),
    ),
    http.delete(`${base}/twilio/credentials`, () => run(false, () => fake.twilio.deleteCredentials())),
    http.get(`${base}/twilio/numbers`, () =>
      run(hang('numbers'), async () => ({ numbers: await fake.twilio.listNumbers() })),
    ),
    http.post(`${base}/twilio/numbers/:sid/connect`, ({ params }) =>
      run(hang('connect'), () => fake.twilio.connectNumber(String(params.sid))),
    ),
    http.post(`${base}/twilio/numbers/:sid/disconnect`, ({ params }) =>
      run(false, () => fake.twilio.disconnectNumber(String(params.sid))),
    ),
    http.get(`${base}/twilio/numbers/:sid/status`, ({ params }) =>
      run(false, () => fake.twilio.numberStatus(String(params.sid))),
    ),
    ...(voice
      ? [
          http.get(`${base}/twilio/voice`, () => run(hang('voiceStatus'), () => voice.status())),
          http.post(`${base}/twilio/voice/auto-configure`, async ({ request }) => {
            const body = (await request.json()) as never
            return run(hang('voiceConfigure'), () => voice.autoConfigure(body))
          }),
          http.delete(`${base}/twilio/voice`, () => run(false, () => voice.remove())),
          // Only the Twilio Voice token; other `/token` requests fall through to the story's own handlers.
          http.post(`${base}/token`, async ({ request }) => {
            const body = (await request.clone().json()) as { transport?: string }
            return body.transport === 'twilio' ? run(false, () => voice.token()) : undefined
          }),
        ]
      : []),
  ]
}

let toneUrl: string | null = null

/** A two-second 440 Hz tone as a WAV data URL: a playable "recording" without any network. */
export function demoRecordingUrl(): string {
  if (toneUrl) return toneUrl
  const rate = 8000
  const samples = rate * 2
  const bytes = new Uint8Array(44 + samples * 2)
  const view = new DataView(bytes.buffer)
  const text = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i))
  }
  text(0, 'RIFF')
  view.setUint32(4, 36 + samples * 2, true)
  text(8, 'WAVE')
  text(12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true)
  view.setUint16(22, 1, true)
  view.setUint32(24, rate, true)
  view.setUint32(28, rate * 2, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  text(36, 'data')
  view.setUint32(40, samples * 2, true)
  for (let i = 0; i < samples; i++) {
    view.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 6000), true)
  }
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  toneUrl = `data:audio/wav;base64,${btoa(binary)}`
  return toneUrl
}

/** A very long name, for layout stories. */
export const LONG_NAME =
  'Maximilian Alexander Konstantin von Hohenberg-Wittelsbach, Regional Sales Director EMEA'
