// The Dialer before core's phone-number metadata has loaded (it is a separate chunk, fetched on first use): raw
// digits, stored numbers as E.164, and formatting as soon as the metadata arrives.
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { createTestClient } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { Dialer } from './Dialer'

// Not preloaded by test/setup.ts for this file; the metadata chunk arrives when the test opens the gate.
;(globalThis as { ringlinePhoneMetadataPreload?: boolean }).ringlinePhoneMetadataPreload = false
const gate = vi.hoisted(() => {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
})
vi.mock('../../../core/src/phoneNumberFull', async (importOriginal) => {
  await gate.opened
  return importOriginal()
})

describe('Dialer before the phone-number metadata is loaded', () => {
  it('shows raw digits, then formats once the metadata arrives', async () => {
    const user = userEvent.setup()
    const { client } = createTestClient()
    const { container } = render(
      <RinglineProvider client={client}>
        <Dialer defaultCountry="US" recentNumbers={['+14155550100']} />
      </RinglineProvider>,
    )
    const root = container.firstElementChild as HTMLElement
    const input = screen.getByRole('textbox', { name: 'Phone number' }) as HTMLInputElement
    await user.type(input, '4155550123')
    expect(input.value).toBe('4155550123')
    // A national number needs its country's rules: not callable yet.
    expect(root.getAttribute('data-state')).toBe('typing')
    expect(root.textContent).toContain('+14155550100')

    gate.open()
    await waitFor(() => expect(input.value).toBe('(415) 555-0123'))
    expect(root.getAttribute('data-state')).toBe('ready')
    expect(root.textContent).toContain('(415) 555-0100')
  })
})
