// The lazy shells of the components off the call path: a busy, named placeholder of the body's root first, then the
// body; preload() makes the first render show the body; a failed import reaches the host's error boundary and a
// later render retries; streaming server rendering waits for the body and hydrates it without a mismatch. Each test
// imports the package afresh (vi.resetModules), so no body is loaded before it starts.
import { act, render, screen } from '@testing-library/react'
import { Component, type ReactNode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { renderToReadableStream } from 'react-dom/server.node'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../test/axe'
import { createTestClient, dialTo, flush } from '../test/createTestClient'
import { createFakeApi, generateFakeCalls } from './testing/createFakeApi'

type Index = typeof import('./index')
const calls = generateFakeCalls(3)

/** The package as a host imports it, fresh: no lazy body loaded yet. */
async function freshPackage(): Promise<Index> {
  vi.resetModules()
  return import('./index')
}

/** Each lazy component: how to render it, the placeholder's root and name, and a sign that the body is there. */
const cases = [
  {
    name: 'VoiceSettingsCard',
    render: (r: Index) => <r.VoiceSettingsCard />,
    root: 'section.rl-voice-settings',
    label: 'Phone numbers',
    body: () => screen.findByRole('heading', { name: 'Phone numbers' }),
  },
  {
    name: 'VoiceConfigurationCard',
    render: (r: Index) => <r.VoiceConfigurationCard />,
    root: 'section.rl-voice-config',
    label: 'Voice calling (Twilio)',
    body: () => screen.findByRole('heading', { name: 'Voice calling (Twilio)' }),
  },
  {
    name: 'CallHistory',
    render: (r: Index) => <r.CallHistory initialData={{ calls, nextCursor: null }} timeZone="UTC" />,
    root: 'div.rl-call-history',
    label: 'Call history',
    body: () => screen.findByRole('search', { name: 'Filter calls' }),
  },
  {
    name: 'InternalCall',
    render: (r: Index) => <r.InternalCall />,
    root: 'div.rl-internal-call',
    label: 'Join a team room',
    body: () => screen.findByRole('button', { name: 'Join room' }),
  },
  {
    name: 'ReadyCheck',
    render: (r: Index) => <r.ReadyCheck />,
    root: 'section.rl-ready-check',
    label: 'Ready to take calls?',
    body: () => screen.findByText('Ready to take calls?', { selector: '.rl-ready-title' }),
  },
  {
    name: 'RecordingPlayer',
    render: (r: Index) => <r.RecordingPlayer src="/recordings/1.mp3" durationSeconds={61} />,
    root: 'div.rl-recording',
    label: 'Call recording',
    body: () => screen.findByRole('button', { name: 'Play recording' }),
  },
  {
    name: 'LiveTranscript',
    render: (r: Index) => <r.LiveTranscript />,
    root: 'section.rl-live-transcript',
    label: 'Live transcript',
    body: () => screen.findByText('Nothing transcribed yet.'),
  },
] as const

function withProvider(r: Index, children: ReactNode, client = createTestClient().client) {
  return (
    <r.RinglineProvider client={client} api={createFakeApi({ calls })}>
      {children}
    </r.RinglineProvider>
  )
}

/** An error's message and its causes' (vitest wraps an error thrown by a mock factory). */
const messages = (error: unknown): string =>
  error instanceof Error ? `${error.message} ${messages(error.cause)}` : ''

/** A host's error boundary: shows the error's message, and renders its children again on `retry`. */
class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null }
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  override render() {
    if (!this.state.error) return this.props.children
    return (
      <div role="alert">
        {messages(this.state.error)}
        <button type="button" onClick={() => this.setState({ error: null })}>
          retry
        </button>
      </div>
    )
  }
}

afterEach(() => {
  vi.doUnmock('./components/VoiceSettingsCardBody')
})

describe.each(cases)('$name (lazy)', (c) => {
  it('shows a busy, named placeholder of the body’s root first, then the body', async () => {
    const r = await freshPackage()
    const { container } = render(withProvider(r, c.render(r)))
    const placeholder = container.querySelector(c.root)
    expect(placeholder, 'the placeholder has the body’s root element and class').not.toBeNull()
    expect(placeholder!.classList.contains('rl-lazy')).toBe(true)
    expect(placeholder!.getAttribute('aria-busy')).toBe('true')
    expect(placeholder!.getAttribute('data-state')).toBe('loading')
    expect(placeholder!.textContent).toContain(c.label)
    await expectNoAxeViolations(container)
    await c.body()
    expect(container.querySelector('.rl-lazy')).toBeNull()
    expect(container.querySelector(c.root)).not.toBeNull()
  })

  it('preload() makes the first render show the body', async () => {
    const r = await freshPackage()
    const preloaded = r[c.name].preload()
    expect(preloaded).toBeInstanceOf(Promise)
    await preloaded
    const { container } = render(withProvider(r, c.render(r)))
    expect(container.querySelector('.rl-lazy')).toBeNull()
    expect(container.querySelector(c.root)).not.toBeNull()
  })
})

describe('lazy shells', () => {
  it('texts: the catalogue and the labels prop reach the placeholder and the body; the defaults load with the body', async () => {
    const r = await freshPackage()
    const { container } = render(
      withProvider(
        r,
        <r.RinglineMessagesProvider messages={{ recordingPlayer: { region: 'Aufnahme', play: 'Abspielen' } }}>
          <r.RecordingPlayer src="/recordings/1.mp3" labels={{ play: 'Los', seek: 'Springen' }} />
        </r.RinglineMessagesProvider>,
      ),
    )
    expect(container.querySelector('.rl-lazy')!.textContent).toContain('Aufnahme')
    // The prop wins over the catalogue; the catalogue over the default; a text neither gives stays English.
    await screen.findByRole('button', { name: 'Los' })
    expect(screen.getByRole('group', { name: 'Aufnahme' })).toBeTruthy()
    expect(screen.getByRole('slider', { name: 'Springen' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Download' })).toBeTruthy()
  })

  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('a failed import reaches the host’s error boundary; rendering again retries the import', async () => {
    vi.doMock('./components/VoiceSettingsCardBody', () => {
      throw new Error('chunk failed to load')
    })
    const r = await freshPackage()
    render(withProvider(r, <Boundary>{<r.VoiceSettingsCard />}</Boundary>))
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('chunk failed to load'),
    )
    vi.doUnmock('./components/VoiceSettingsCardBody')
    await act(async () => screen.getByRole('button', { name: 'retry' }).click())
    expect(await screen.findByRole('heading', { name: 'Phone numbers' })).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('preload() rejects when the import fails, and succeeds once it can load', async () => {
    vi.doMock('./components/VoiceSettingsCardBody', () => {
      throw new Error('offline')
    })
    const r = await freshPackage()
    const failed = await r.VoiceSettingsCard.preload().then(
      () => null,
      (error: unknown) => error,
    )
    expect(messages(failed)).toContain('offline')
    vi.doUnmock('./components/VoiceSettingsCardBody')
    await expect(r.VoiceSettingsCard.preload()).resolves.toBeUndefined()
  })

  it('ConsultTransfer renders nothing (no placeholder) while there is nothing to consult about', async () => {
    const r = await freshPackage()
    const { container } = render(withProvider(r, <r.ConsultTransfer />))
    expect(container.innerHTML).toBe('')
  })

  it('ConsultTransfer shows the consult form in a connected phone call', async () => {
    const r = await freshPackage()
    const t = createTestClient()
    await act(async () => {
      await dialTo(t, 'active')
    })
    render(withProvider(r, <r.ConsultTransfer />, t.client))
    expect(await screen.findByRole('button', { name: 'Consult' })).toBeTruthy()
  })

  it('AgentPresence renders nothing before a call, then its body in a live call that can invite an agent', async () => {
    const r = await freshPackage()
    const t = createTestClient()
    const { container, rerender } = render(withProvider(r, <r.AgentPresence agents={['helper']} />, t.client))
    expect(container.querySelector('.rl-agent-presence')).toBeNull()
    await act(async () => {
      await dialTo(t, 'active')
    })
    rerender(withProvider(r, <r.AgentPresence agents={['helper']} />, t.client))
    expect(await screen.findByRole('button', { name: 'Invite agent: helper' })).toBeTruthy()
  })
})

describe('streaming server rendering', () => {
  it('waits for the body on the server, and hydrates it on a client that has not loaded it yet', async () => {
    // The server: its own module instance, nothing preloaded.
    const server = await freshPackage()
    const api = createFakeApi({ calls })
    const tree = (r: Index) => (
      <r.RinglineProvider client={createTestClient().client} api={api}>
        <r.VoiceSettingsCard />
        <r.CallHistory initialData={{ calls, nextCursor: null }} timeZone="UTC" locale="en-US" />
      </r.RinglineProvider>
    )
    const stream = await renderToReadableStream(tree(server))
    await stream.allReady
    const html = await new Response(stream).text()
    expect(html).toContain('rl-voice-settings')
    expect(html).toContain('rl-history-filters')
    expect(html).not.toContain('rl-lazy')

    // The browser: a fresh module instance whose bodies load during hydration.
    const client = await freshPackage()
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const serverCard = container.querySelector('section.rl-voice-settings')
    const onRecoverableError = vi.fn()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const root = await act(async () => hydrateRoot(container, tree(client), { onRecoverableError }))
      await act(async () => {
        await flush(20)
      })
      expect(onRecoverableError).not.toHaveBeenCalled()
      expect(consoleError.mock.calls.filter((call) => /hydrat|mismatch/i.test(String(call[0])))).toEqual([])
      // Hydrated in place, not re-rendered: the server's element is the one on the page.
      expect(container.querySelector('section.rl-voice-settings')).toBe(serverCard)
      act(() => root.unmount())
    } finally {
      consoleError.mockRestore()
      container.remove()
    }
  })
})
