/**
 * Next.js calls `register` once when the server starts: the store is opened (migrations) and the demo company numbers
 * provisioned now, so the first visitor's call does not wait seconds for them (it did: the first `POST /calls` after a
 * start took ~4.5 s on 2 cores, all of it opening the store). A failure is logged; requests then report it too.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { demoReady } = await import('./lib/ringline')
  demoReady().catch((error: unknown) => {
    console.error('[ringline demo] start-up failed; the first request will try again:', error)
  })
}
