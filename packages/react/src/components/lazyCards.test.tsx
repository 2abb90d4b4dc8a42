// The settings and pre-call cards load their code on first render. On the server they render in full (so
// prerendered pages carry the real card), hydration keeps that markup while the code loads, and a card mounted on
// the client shows its busy frame, then the card.
import { act, render, screen } from '@testing-library/react'
import { hydrateRoot } from 'react-dom/client'
import { prerender } from 'react-dom/static'
import { describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient } from '../../test/createTestClient'
import { lazyComponent } from '../internal/lazyComponent'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeApi } from '../testing/createFakeApi'
import {
  ReadyCheck,
  ReadyCheckFallback,
  VoiceConfigurationCard,
  VoiceConfigurationCardFallback,
  VoiceSettingsCard,
  VoiceSettingsCardFallback,
} from './lazyCards'

const cases = {
  VoiceSettingsCard: {
    Card: VoiceSettingsCard,
    Fallback: VoiceSettingsCardFallback,
    selector: 'section.rl-voice-settings',
    title: 'Phone numbers',
  },
  VoiceConfigurationCard: {
    Card: VoiceConfigurationCard,
    Fallback: VoiceConfigurationCardFallback,
    selector: 'section.rl-voice-config',
    title: 'Voice calling (Twilio)',
  },
  ReadyCheck: {
    Card: ReadyCheck,
    Fallback: ReadyCheckFallback,
    selector: 'section.rl-ready-check',
    title: 'Ready to take calls?',
  },
}

async function serverHtml(element: React.ReactElement) {
  const { prelude } = await prerender(element)
  return new Response(prelude).text()
}

describe.each(Object.entries(cases))('lazy %s', (_name, { Card, Fallback, selector, title }) => {
  it('renders in full on the server and hydrates without a mismatch', async () => {
    const api = createFakeApi()
    const tree = (
      <RinglineProvider client={createTestClient().client} api={api}>
        <Card className="mine" />
      </RinglineProvider>
    )
    const html = await serverHtml(tree)
    expect(html).toContain(title)
    expect(html).toContain('mine')
    expect(html).not.toContain('data-loading')
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const onRecoverableError = vi.fn()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const root = await act(async () => hydrateRoot(container, tree, { onRecoverableError }))
      expect(container.querySelector('[data-loading]')).toBeNull()
      expect(container.querySelector(selector)?.classList.contains('mine')).toBe(true)
      expect(onRecoverableError).not.toHaveBeenCalled()
      expect(consoleError.mock.calls.filter((c) => /hydrat/i.test(String(c[0])))).toEqual([])
      act(() => root.unmount())
    } finally {
      consoleError.mockRestore()
      container.remove()
    }
  })

  it('its loading frame is busy, accessible, in the catalogue language and in the card’s classes', async () => {
    const { container } = render(
      <RinglineProvider
        client={createTestClient().client}
        api={createFakeApi()}
        messages={{
          voiceSettingsCard: { title: 'Telefonnummern' },
          voiceConfigurationCard: { title: 'Telefonnummern' },
          readyCheck: { title: 'Telefonnummern' },
        }}
      >
        <Fallback className="mine" />
      </RinglineProvider>,
    )
    const frame = container.querySelector(selector) as HTMLElement
    expect(frame.hasAttribute('data-loading')).toBe(true)
    expect(frame.getAttribute('aria-busy')).toBe('true')
    expect(frame.classList.contains('mine')).toBe(true)
    expect(frame.textContent).toContain('Telefonnummern')
    expect(screen.getByRole('status')).toBeTruthy()
    await expectNoAxeViolations(container)
  })
})

describe('lazyComponent', () => {
  const Real = ({ text }: { text: string }) => <p data-real="">{text}</p>
  const Frame = ({ text }: { text: string }) => (
    <p data-loading="" aria-busy="true">
      loading {text}
    </p>
  )
  const gated = () => {
    let open = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const load = vi.fn(() => gate.then(() => Real))
    return { Component: lazyComponent(load, Frame, 'Slow'), open, load }
  }

  it('hydration keeps the server’s markup while the code is still loading, then takes over', async () => {
    const server = gated()
    server.open()
    const html = await serverHtml(<server.Component text="hello" />)
    expect(html).toContain('hello')
    expect(html).not.toContain('loading')
    const client = gated()
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const onRecoverableError = vi.fn()
    const root = await act(async () =>
      hydrateRoot(container, <client.Component text="hello" />, { onRecoverableError }),
    )
    expect(client.load).toHaveBeenCalledTimes(1)
    expect(container.querySelector('[data-real]')?.textContent).toBe('hello')
    expect(container.querySelector('[data-loading]')).toBeNull()
    await act(async () => {
      client.open()
      await client.Component.preload()
    })
    expect(container.querySelector('[data-real]')?.textContent).toBe('hello')
    expect(container.querySelector('[data-loading]')).toBeNull()
    expect(onRecoverableError).not.toHaveBeenCalled()
    act(() => root.unmount())
    container.remove()
  })

  it('mounted on the client, shows the frame with the same props until the code arrives; loads once', async () => {
    const slow = gated()
    const { container, rerender } = render(<slow.Component text="a" />)
    expect(container.querySelector('[data-loading]')?.textContent).toBe('loading a')
    rerender(<slow.Component text="b" />)
    expect(container.querySelector('[data-loading]')?.textContent).toBe('loading b')
    await act(async () => {
      slow.open()
      await slow.Component.preload()
    })
    expect(container.querySelector('[data-real]')?.textContent).toBe('b')
    expect(slow.load).toHaveBeenCalledTimes(1)
  })
})
