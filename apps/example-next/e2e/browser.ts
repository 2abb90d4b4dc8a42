import { type Browser, type BrowserContext, chromium } from 'playwright-core'
import { CHROMIUM_BASE_ARGS, CHROMIUM_PATH, FAKE_MEDIA_DEVICE_ARG } from '../../../test/chromium'

export { CHROMIUM_PATH }

/** Flags that keep headless Chromium off the (closed) network and give it a fake microphone. */
export const CHROMIUM_ARGS = [
  ...CHROMIUM_BASE_ARGS,
  FAKE_MEDIA_DEVICE_ARG,
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
]

/**
 * The same without the two switches that hide what real agents meet first: no fake permission UI (the page must ask
 * for the microphone; tests answer with CDP) and the browser's own autoplay policy (sound blocked until a gesture).
 * The fake microphone device stays.
 */
export const CHROMIUM_ARGS_REAL_PROMPTS = CHROMIUM_ARGS.filter(
  (arg) => arg !== '--use-fake-ui-for-media-stream' && !arg.startsWith('--autoplay-policy'),
)

/** A headless Chromium with a fresh profile. */
export interface TestBrowser {
  browser: Browser
  newContext(): Promise<BrowserContext>
  close(): Promise<void>
}

/**
 * Starts Debian's Chromium through playwright-core. `launch()` gives every browser a fresh temporary
 * `--user-data-dir` of its own and removes it on close.
 */
export async function launchBrowser(options: { realPrompts?: boolean } = {}): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: options.realPrompts ? CHROMIUM_ARGS_REAL_PROMPTS : CHROMIUM_ARGS,
  })
  return {
    browser,
    // With real prompts nothing is granted up front: each test decides (CDP Browser.grantPermissions / setPermission).
    newContext: () =>
      browser.newContext(options.realPrompts ? {} : { permissions: ['microphone', 'notifications'] }),
    close: () => browser.close(),
  }
}
