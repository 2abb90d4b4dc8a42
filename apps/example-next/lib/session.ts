import { createHmac, timingSafeEqual } from 'node:crypto'
import { type DemoUser, findDemoUser } from './demoUsers'

/** Name of the demo session cookie. */
export const SESSION_COOKIE = 'rl_demo_session'

// The demo signs its session cookie so a user id cannot be forged by editing the cookie.
function secret(): string {
  return (
    process.env.DEMO_SESSION_SECRET ?? process.env.RINGLINE_SECRET_KEY ?? 'ringline-example-dev-only-secret'
  )
}

function sign(value: string): string {
  return createHmac('sha256', secret()).update(value).digest('base64url')
}

/** The cookie value for a signed-in demo user. */
export function sessionValue(userId: string): string {
  return `${userId}.${sign(userId)}`
}

/** The demo user a cookie value belongs to, or undefined when missing or forged. */
export function userFromSession(value: string | undefined): DemoUser | undefined {
  if (!value) return undefined
  const dot = value.lastIndexOf('.')
  if (dot <= 0) return undefined
  const userId = value.slice(0, dot)
  const given = Buffer.from(value.slice(dot + 1))
  const expected = Buffer.from(sign(userId))
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  return findDemoUser(userId)
}

/** Reads the demo user from a request's Cookie header. */
export function userFromRequest(request: Request): DemoUser | undefined {
  const cookie = request.headers.get('cookie') ?? ''
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === SESSION_COOKIE) return userFromSession(decodeURIComponent(rest.join('=')))
  }
  return undefined
}
