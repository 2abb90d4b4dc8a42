// What a person can do about each microphone state, in the words of the browser they are using.
import type { MicrophonePermission } from './types'

/** Browsers whose settings differ enough to need their own recovery text. */
export type BrowserFamily = 'chrome' | 'edge' | 'firefox' | 'safari' | 'other'

/** The browser family from a user-agent string (default `navigator.userAgent`). */
export function detectBrowser(userAgent = globalThis.navigator?.userAgent ?? ''): BrowserFamily {
  if (/Edg\//.test(userAgent)) return 'edge'
  if (/Firefox\//.test(userAgent)) return 'firefox'
  if (/Chrome\/|Chromium\/|CriOS\//.test(userAgent)) return 'chrome'
  if (/Safari\//.test(userAgent)) return 'safari'
  return 'other'
}

const UNBLOCK: Record<BrowserFamily, string> = {
  chrome:
    'Click the site controls icon left of the address bar, set Microphone to Allow, then reload the page.',
  edge: 'Click the lock icon left of the address bar, open Permissions for this site, set Microphone to Allow, then reload.',
  firefox:
    'Click the microphone icon with a line through it in the address bar, remove the block (Blocked temporarily / Blocked), then reload.',
  safari:
    'Open Safari › Settings for This Website (or Settings › Websites › Microphone), choose Allow for this site, then reload.',
  other: 'Open this site’s settings in your browser, allow the microphone, then reload the page.',
}

/**
 * The step that gets a person from `permission` to a working microphone, or null when nothing is needed
 * (`granted`) or nothing is known yet (`unknown`).
 */
export function microphoneHelp(
  permission: MicrophonePermission,
  browser: BrowserFamily = detectBrowser(),
): string | null {
  switch (permission) {
    case 'granted':
    case 'unknown':
      return null
    case 'prompt':
      return 'Your browser will ask for the microphone when a call starts: choose Allow.'
    case 'denied':
      return `Microphone access is blocked for this site. ${UNBLOCK[browser]}`
    case 'blocked-by-policy':
      return 'This page is not allowed to use a microphone (blocked by the site or your organisation’s policy, for example inside a frame). Open the app in its own tab or ask your administrator.'
    case 'no-device':
      return browser === 'safari'
        ? 'No microphone was found. Connect one (or a headset), then check System Settings › Sound › Input.'
        : 'No microphone was found. Connect one (or a headset); it is picked up automatically.'
    case 'in-use':
      return 'Another app is using the microphone or it cannot be read. Close other calling apps (or tabs) and try again.'
    default:
      return permission satisfies never
  }
}
