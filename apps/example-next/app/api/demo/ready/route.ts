import { demoReady } from '../../../../lib/ringline'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** `GET`: 200 once the store is open and the demo company numbers ring (starts them if nothing else has). */
export async function GET(): Promise<Response> {
  await demoReady()
  return Response.json({ ready: true })
}
