// Debian's Chromium for every browser test of the workspace (example-app e2e, Storybook in Chromium): tests never
// download a browser of their own.

/** Debian's Chromium, or `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Flags that keep headless Chromium off the (closed) network. */
export const CHROMIUM_BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A fake microphone and camera device. */
export const FAKE_MEDIA_DEVICE_ARG = '--use-fake-device-for-media-stream'
