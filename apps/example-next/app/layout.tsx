import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import '@ringline/react/styles.css'

export const metadata: Metadata = {
  title: 'Ringline example',
  description: 'Phone and browser calling with Ringline on a local LiveKit sandbox.',
}

/** Root layout of the example app. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
