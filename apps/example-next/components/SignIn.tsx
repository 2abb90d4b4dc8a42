'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { DEMO_USERS } from '../lib/demoUsers'

/** Demo sign-in: pick one of four users of two tenants. */
export function SignIn() {
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)
  async function signIn(userId: string) {
    const res = await fetch('/api/demo/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    })
    if (!res.ok) return setError('Could not sign in')
    router.push('/phone')
    router.refresh()
  }
  return (
    <section className="demo-signin" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to the Ringline demo</h1>
      <p>Two tenants with two agents each. Calls, history and rooms never cross tenants.</p>
      <ul>
        {DEMO_USERS.map((user) => (
          <li key={user.userId}>
            <button type="button" onClick={() => signIn(user.userId)} data-user={user.userId}>
              <strong>{user.name}</strong> <span>{user.tenantName}</span> <em>{user.role}</em>
            </button>
          </li>
        ))}
      </ul>
      {error ? <p role="alert">{error}</p> : null}
    </section>
  )
}
