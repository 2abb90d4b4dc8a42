import { loadPhoneNumberMetadata } from '@ringline/core'
import { cleanup, configure } from '@testing-library/react'
import { afterEach, beforeAll } from 'vitest'

// findBy*/waitFor give up after 1 s by default; a CI machine running the phone suites beside these needs longer.
configure({ asyncUtilTimeout: 5_000 })

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

// Core loads the phone-number metadata on first use; tests start with it loaded, as a page does a moment after it
// renders. A test file about the moments before sets `globalThis.ringlinePhoneMetadataPreload = false` at its top.
beforeAll(async () => {
  if ((globalThis as { ringlinePhoneMetadataPreload?: boolean }).ringlinePhoneMetadataPreload !== false) {
    await loadPhoneNumberMetadata()
  }
})

// axe probes icon ligatures with a canvas, which jsdom lacks; answer "no canvas" quietly.
if (typeof window !== 'undefined') {
  Object.defineProperty(window.HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => null,
  })
}
