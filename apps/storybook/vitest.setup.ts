import { setProjectAnnotations } from '@storybook/react'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll } from 'vitest'
import preview from './.storybook/preview'

// Stories' `parameters.msw.handlers` go to a Node MSW server here instead of the browser service worker.
const server = setupServer()
globalThis.__ringlineMsw = { use: (handlers) => server.resetHandlers(...handlers) }

if (typeof window !== 'undefined') {
  // jsdom has neither media playback nor canvas; the player and axe only need these to exist.
  Object.defineProperty(window.HTMLMediaElement.prototype, 'play', {
    configurable: true,
    value: () => Promise.resolve(),
  })
  Object.defineProperty(window.HTMLMediaElement.prototype, 'pause', { configurable: true, value: () => {} })
  Object.defineProperty(window.HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => null,
  })
}

beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }))
afterAll(() => server.close())

setProjectAnnotations([preview])
