// `pnpm --filter @ringline/react bench`: prints figures, asserts nothing.
// CallHistory with 10,000 calls in jsdom: first render, scroll steps, rows in the DOM, and a live event.
import { JSDOM } from 'jsdom'

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' })
Object.assign(globalThis, {
  window: dom.window,
  document: dom.window.document,
  navigator: dom.window.navigator,
  HTMLElement: dom.window.HTMLElement,
  Node: dom.window.Node,
  Event: dom.window.Event,
  UIEvent: dom.window.UIEvent,
  IS_REACT_ACT_ENVIRONMENT: true,
})

const { act } = await import('react')
const { createRoot } = await import('react-dom/client')
const { CallHistory } = await import('../src/components/CallHistory')
const { RinglineProvider } = await import('../src/RinglineProvider')
const { createFakeApi, generateFakeCalls } = await import('../src/testing/createFakeApi')
const { createCallClient } = await import('@ringline/core')
const { createFakeServer, createFakeTransport, makeEvent } = await import('@ringline/core/testing')

const ms = (start: number) => `${(performance.now() - start).toFixed(1)} ms`
const TOTAL = 10_000
const PAGE = 200
const ROW = 56
const HEIGHT = 480

const calls = generateFakeCalls(TOTAL)
const api = createFakeApi({ calls })
// The real client with its /events stream on a fake server; the history's HTTP is the in-memory fake API.
const server = createFakeServer()
const client = createCallClient({
  baseUrl: '/api/ringline',
  fetch: server.fetch,
  transport: createFakeTransport(),
  tabs: false,
  sounds: false,
  notifications: false,
  mediaDevices: null,
  permissions: null,
})
const container = document.createElement('div')
document.body.append(container)
const root = createRoot(container)

// The body loads with import() on first render; fetched ahead so the figures are of rendering, not of the import.
await CallHistory.preload()
let t = performance.now()
await act(async () => {
  root.render(
    <RinglineProvider client={client} api={api}>
      <CallHistory pageSize={PAGE} rowHeight={ROW} listHeight={HEIGHT} timeZone="UTC" locale="en-US" />
    </RinglineProvider>,
  )
})
console.log(`CallHistory first page (${PAGE} of ${TOTAL} calls) rendered: ${ms(t)}`)

const viewport = container.querySelector('.rl-history-viewport') as HTMLElement
const list = () => container.querySelector('.rl-history-list') as HTMLElement
if (!viewport || !list()) throw new Error('CallHistory did not render its list: nothing to measure')
const rowsInDom = () => list().querySelectorAll('li').length

// Scroll through everything, letting pages load as the end comes into view.
t = performance.now()
let steps = 0
let worst = 0
for (let top = 0; list().style.height !== `${TOTAL * ROW}px` || top < TOTAL * ROW - HEIGHT; top += HEIGHT) {
  const step = performance.now()
  viewport.scrollTop = top
  await act(async () => {
    viewport.dispatchEvent(new dom.window.Event('scroll'))
  })
  worst = Math.max(worst, performance.now() - step)
  steps++
  if (steps > 10_000) break
}
console.log(
  `scrolled ${steps} viewports through ${TOTAL} calls (${Math.ceil(TOTAL / PAGE)} pages): ${ms(t)}, ` +
    `slowest step ${worst.toFixed(1)} ms, rows in the DOM ${rowsInDom()}`,
)

await act(async () => {
  viewport.scrollTop = 0
  viewport.dispatchEvent(new dom.window.Event('scroll'))
})
if (server.openStreams().length !== 1) throw new Error('the client opened no /events stream')
t = performance.now()
const firstStatus = () => container.querySelector('[aria-posinset="1"]')?.getAttribute('data-status')
await act(async () => {
  server.push(makeEvent('call.updated', { ...calls[0]!, status: 'busy' }))
  for (let i = 0; i < 100 && firstStatus() !== 'busy'; i++) await new Promise((r) => setTimeout(r, 0))
})
if (firstStatus() !== 'busy') throw new Error('the live call.updated did not reach the history')
console.log(`live call.updated (pushed on /events) applied to a ${TOTAL}-row history: ${ms(t)}`)

await act(async () => root.unmount())
client.destroy()
