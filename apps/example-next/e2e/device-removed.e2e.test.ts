// The chosen microphone is unplugged mid-call, then plugged back, in a Chromium without the fake permission UI and
// autoplay switches (the microphone granted as a person would). The "USB" microphone is a test hook on
// `enumerateDevices` / `devicechange` (page.addInitScript): it is listed while "plugged in", and capturing from it
// captures Chromium's fake device.
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3241 })
})

afterAll(async () => {
  await e2e?.close()
})

/** Runs in the page before its scripts: a pluggable "USB Mic" on top of the real (fake) devices. */
function pluggableMicrophone() {
  const md = navigator.mediaDevices
  const enumerate = md.enumerateDevices.bind(md)
  const getUserMedia = md.getUserMedia.bind(md)
  const w = window as unknown as { __usbPlugged: boolean; __setUsb(plugged: boolean): void }
  w.__usbPlugged = true
  const usb = {
    deviceId: 'usb-mic',
    groupId: 'usb',
    kind: 'audioinput',
    label: 'USB Mic',
    toJSON() {
      return this
    },
  } as MediaDeviceInfo
  md.enumerateDevices = async () => [...(await enumerate()), ...(w.__usbPlugged ? [usb] : [])]
  md.getUserMedia = async (constraints) => {
    const audio = constraints?.audio
    if (audio && typeof audio === 'object' && JSON.stringify(audio.deviceId ?? '').includes('usb-mic')) {
      if (!w.__usbPlugged) throw new DOMException('Requested device not found', 'NotFoundError')
      const { deviceId: _id, ...rest } = audio
      return getUserMedia({ ...constraints, audio: rest })
    }
    return getUserMedia(constraints)
  }
  w.__setUsb = (plugged) => {
    w.__usbPlugged = plugged
    md.dispatchEvent(new Event('devicechange'))
  }
}

const setUsb = (page: Page, plugged: boolean) =>
  page.evaluate((p) => (window as unknown as { __setUsb(p: boolean): void }).__setUsb(p), plugged)

describeWithSip('a microphone unplugged mid-call, in Chromium without the fake permission UI', () => {
  it('falls back to the default with a notice, and follows the chosen one when it comes back', async () => {
    const { context, page } = await e2e.signIn('bob', { realPrompts: true })
    await context.grantPermissions(['microphone'], { origin: e2e.app.url })
    await page.addInitScript(pluggableMicrophone)
    await open(page, `${e2e.app.url}/phone`)
    await page.getByLabel('Phone number').fill(e2e.sandbox.phone.numbers.answer)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 45_000 })

    const microphone = page.locator('.rl-call-controls').getByLabel('Microphone')
    await expect
      .poll(() => microphone.locator('option').allTextContents(), { timeout: 15_000 })
      .toContain('USB Mic')
    await microphone.selectOption('usb-mic')
    await expect.poll(() => microphone.inputValue()).toBe('usb-mic')

    // Unplugged: the call moves to the default microphone and says so.
    await setUsb(page, false)
    const notice = page.locator('.rl-call-controls .rl-device-notice')
    await notice.waitFor({ timeout: 15_000 })
    await expect(notice.getAttribute('data-state')).resolves.toBe('fell-back')
    await expect(notice.textContent()).resolves.toBe('USB Mic was disconnected; using the default device.')
    await expect.poll(() => microphone.inputValue()).not.toBe('usb-mic')
    await expect(page.locator('.rl-call-controls').getAttribute('data-state')).resolves.toBe('connected')

    // Plugged back in: followed again.
    await setUsb(page, true)
    await expect.poll(() => notice.getAttribute('data-state'), { timeout: 15_000 }).toBe('restored')
    await expect.poll(() => microphone.inputValue()).toBe('usb-mic')

    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
  })
})
