import { fileURLToPath } from 'node:url'
import { createRingline } from '@ringline/server'
import { toNodeHandler } from '@ringline/server/node'
import express from 'express'

// LiveKit and SIP settings come from the environment (what `ringline-sandbox up` prints).
const ringline = createRingline({
  authorize: (request) => {
    const user = /(?:^|;\s*)user=(\w+)/.exec(request.headers.get('cookie') ?? '')?.[1] // your session lookup
    return user ? { userId: user, tenantId: 'demo' } : null
  },
  calls: { allowUnassignedNumbers: true }, // the sandbox's +1 555 numbers are unassigned; drop this in production
})

const app = express()
app.use('/api/ringline', toNodeHandler(ringline)) // before express.json(): webhook signatures need the raw body
app.use(express.static(fileURLToPath(new URL('dist', import.meta.url)))) // the page, built by `vite build`
app.listen(Number(process.env.PORT ?? 3000))
