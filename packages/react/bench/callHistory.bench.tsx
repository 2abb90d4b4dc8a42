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
const { createFakeCallClient } = await import('../src/testing/createFakeCallClient')

const ms = (start: number) => `${(performance.now() - start).toFixed(1)} ms`
const TOTAL = 10_000
const PAGE = 200
const ROW = 56
const HEIGHT = 480

const calls = generateFakeCalls(TOTAL)
const api = createFakeApi({ calls })
const client = createFakeCallClient({ api })
const container = document.createElement('div')
document.body.append(container)
const root = createRoot(container)

let t = performance.now()
await act(async () => {
  root.render(
    <RinglineProvider client={client}>
      <CallHistory pageSize={PAGE} rowHeight={ROW} listHeight={HEIGHT} timeZone="UTC" locale="en-US" />
    </RinglineProvider>,
  )
})
console.log(`CallHistory first page (${PAGE} of ${TOTAL} calls) rendered: ${ms(t)}`)

const viewport = container.querySelector('.rl-history-viewport') as HTMLElement
const list = () => container.querySelector('.rl-history-list') as HTMLElement
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

t = performance.now()
await act(async () => {
  client.emit({ id: 'e1', at: '', type: 'call.updated', call: { ...calls[0]!, status: 'busy' } })
})
console.log(`live call.updated applied to a ${TOTAL}-row history: ${ms(t)}`)

await act(async () => root.unmount())
client.destroy()
