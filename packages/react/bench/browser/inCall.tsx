// A connected call with nobody touching anything: CallControls, the Dialer (in its in-call state) and
// IncomingCallOverlay from the BUILT @ringline/react over the real call client of the BUILT @ringline/core, wired to
// core's fake server and fake LiveKit room (the same client the React tests use). Commits are counted with
// <Profiler onRender>; `?client=frozen` uses @ringline/react/testing's frozen fake client instead.
import { CallControls, Dialer, IncomingCallOverlay, RinglineProvider } from '@ringline/react'
import { createFakeCall, createFakeCallClient } from '@ringline/react/testing'
import '@ringline/react/styles.css'
import { Profiler, type ProfilerOnRenderCallback } from 'react'
import { createRoot } from 'react-dom/client'
import type { CallClientLike } from '../../src/types'
import { createTestClient, dialTo } from '../../test/createTestClient'

declare global {
  interface Window {
    /** Set by the runner: resolves with the page's figures. */
    runCallBench(seconds: number): Promise<InCallResult>
  }
}

/** What the page reports. */
export interface InCallResult {
  client: string
  phase: string | null
  seconds: number
  commits: number
  /** Mean React render time of a commit (Profiler actualDuration), ms. */
  meanCommitMs: number
  /** `onRender` calls per Profiler id (a commit may render several). */
  renders: Record<string, number>
  timerText: string | null
}

async function connectedClient(kind: string): Promise<CallClientLike> {
  if (kind === 'frozen') {
    const now = Date.now()
    return createFakeCallClient({
      state: {
        activeCall: createFakeCall({
          phase: 'connected',
          remote: { number: '+14155550123', name: null, contactId: null },
          createdAt: now - 5_000,
          connectedAt: now - 3_000,
        }),
      },
    })
  }
  // The real client, its /events stream open on the fake server, dialled to a callee who answered.
  const t = createTestClient({ events: true })
  const unsubscribe = t.client.subscribe(() => {})
  await dialTo(t, 'active')
  unsubscribe()
  return t.client
}

window.runCallBench = async (seconds) => {
  const kind = new URLSearchParams(location.search).get('client') ?? 'real'
  const client = await connectedClient(kind)
  let commits = 0
  let commitMs = 0
  let counting = false
  const renders: Record<string, number> = {}
  const onRender: ProfilerOnRenderCallback = (id, _phase, actualDuration) => {
    if (!counting) return
    renders[id] = (renders[id] ?? 0) + 1
    if (id !== 'app') return
    commits++
    commitMs += actualDuration
  }
  const container = document.createElement('div')
  document.body.append(container)
  createRoot(container).render(
    <Profiler id="app" onRender={onRender}>
      <RinglineProvider client={client}>
        <Profiler id="IncomingCallOverlay" onRender={onRender}>
          <IncomingCallOverlay />
        </Profiler>
        <Profiler id="Dialer" onRender={onRender}>
          <Dialer />
        </Profiler>
        <Profiler id="CallControls" onRender={onRender}>
          <CallControls />
        </Profiler>
      </RinglineProvider>
    </Profiler>,
  )
  // Let the first render and its effects settle, then count.
  await new Promise((r) => setTimeout(r, 500))
  counting = true
  const start = performance.now()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  counting = false
  return {
    client: kind,
    phase: client.getSnapshot().activeCall?.phase ?? null,
    seconds: (performance.now() - start) / 1000,
    commits,
    meanCommitMs: commits ? commitMs / commits : 0,
    renders,
    timerText: container.querySelector('.rl-call-timer time')?.textContent ?? null,
  }
}
