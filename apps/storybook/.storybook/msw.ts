import type { RequestHandler } from 'msw'

/** Where the handlers of the current story go: a service worker in the browser, a Node server under vitest. */
export interface MswTarget {
  use(handlers: RequestHandler[]): Promise<void> | void
}

declare global {
  // Set by vitest.setup.ts to a msw/node server before stories run.
  var __ringlineMsw: MswTarget | undefined
}

let browserTarget: Promise<MswTarget> | null = null

function startBrowserWorker(): Promise<MswTarget> {
  browserTarget ??= import('msw/browser').then(async ({ setupWorker }) => {
    const worker = setupWorker()
    await worker.start({
      onUnhandledRequest: 'bypass',
      quiet: true,
      serviceWorker: { url: `${import.meta.env.BASE_URL ?? '/'}mockServiceWorker.js` },
    })
    return { use: (handlers) => worker.resetHandlers(...handlers) }
  })
  return browserTarget
}

/** Storybook loader: installs `parameters.msw.handlers` of the story before it renders. */
export async function mswLoader(context: { parameters: { msw?: { handlers?: RequestHandler[] } } }) {
  const handlers = context.parameters.msw?.handlers ?? []
  const target = globalThis.__ringlineMsw ?? (await startBrowserWorker())
  await target.use(handlers)
  return {}
}
