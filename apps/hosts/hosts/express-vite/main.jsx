import { CallControls, Dialer, RinglineProvider } from '@ringline/react'
import '@ringline/react/styles.css'
import { createRoot } from 'react-dom/client'

// Signed in by your app: the session cookie goes with every request to /api/ringline.
createRoot(document.getElementById('root')).render(
  <RinglineProvider baseUrl="/api/ringline">
    <Dialer />
    <CallControls />
  </RinglineProvider>,
)
