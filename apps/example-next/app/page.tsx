import { VERSION } from '@ringline/react'

/** Home page of the example app. */
export default function Home() {
  return (
    <main>
      <h1>Ringline example</h1>
      <p data-testid="version">@ringline/react {VERSION}</p>
    </main>
  )
}
