import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

// jsdom has no media playback; the recording player only needs play/pause to resolve.
if (typeof window !== 'undefined') {
  Object.defineProperty(window.HTMLMediaElement.prototype, 'play', {
    configurable: true,
    value(this: HTMLMediaElement) {
      Object.defineProperty(this, 'paused', { configurable: true, value: false })
      this.dispatchEvent(new Event('play'))
      return Promise.resolve()
    },
  })
  Object.defineProperty(window.HTMLMediaElement.prototype, 'pause', {
    configurable: true,
    value(this: HTMLMediaElement) {
      Object.defineProperty(this, 'paused', { configurable: true, value: true })
      this.dispatchEvent(new Event('pause'))
    },
  })
}

afterEach(() => cleanup())

// axe probes icon ligatures with a canvas, which jsdom lacks; answer "no canvas" quietly.
if (typeof window !== 'undefined') {
  Object.defineProperty(window.HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => null,
  })
}
