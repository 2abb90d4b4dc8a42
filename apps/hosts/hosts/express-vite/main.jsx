import { CallControls, Dialer, RinglineProvider } from '@ringline/react'
import '@ringline/react/styles.css'
import { createRoot } from 'react-dom/client'

document.cookie = 'user=alice; path=/' // stands in for your sign-in

createRoot(document.getElementById('root')).render(
  <RinglineProvider baseUrl="/api/ringline">
    <Dialer />
    <CallControls />
  </RinglineProvider>,
)
