import { toNextHandlers } from '@ringline/server/next'
import { getRingline } from '../../../../lib/ringline'

// Ringline's routes need Node (LiveKit server SDK, PGlite) and must never be cached.
export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

export const { GET, POST, PUT, DELETE } = toNextHandlers((request) => getRingline().handler(request))
