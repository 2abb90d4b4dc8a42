import type { Logger } from './types'

const SECRET_KEY =
  /secret|token|password|passwd|authorization|cookie|api[-_]?key$|auth[-_]?token|signature|credential|ciphertext|private/i
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi
const REDACTED = '[REDACTED]'

/** Scrubs secrets from anything about to be logged or returned: known secret values, JWTs, auth headers, secret-named fields. */
export class Redactor {
  private readonly secrets = new Set<string>()

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.addSecret(secret)
  }

  /** Registers a secret value (e.g. a decrypted Twilio key) so it never appears in output. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 6) this.secrets.add(secret)
  }

  /** A copy of `text` with secrets replaced by `[REDACTED]`. */
  text(text: string): string {
    let out = text.replace(JWT, REDACTED).replace(BEARER, `$1 ${REDACTED}`)
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
    return out
  }

  /** A JSON-safe, redacted copy of any value (errors become `{ name, message, code, stack }`). */
  value(value: unknown, depth = 0): unknown {
    if (depth > 6) return '[…]'
    if (typeof value === 'string') return this.text(value)
    if (typeof value === 'bigint') return value.toString()
    if (value === null || typeof value !== 'object') return value
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code
      return {
        name: value.name,
        message: this.text(value.message),
        ...(code === undefined ? {} : { code: this.value(code, depth + 1) }),
        ...(value.stack ? { stack: this.text(value.stack) } : {}),
      }
    }
    if (value instanceof Headers) {
      const out: Record<string, unknown> = {}
      value.forEach((v, k) => {
        out[k] = SECRET_KEY.test(k) ? REDACTED : this.text(v)
      })
      return out
    }
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => this.value(v, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v != null && v !== '' ? REDACTED : this.value(v, depth + 1)
    }
    return out
  }
}

/** The default logger: warnings and errors as one JSON line on the console. */
export const consoleLogger: Logger = {
  debug() {},
  info() {},
  warn(message, fields) {
    console.warn(JSON.stringify({ level: 'warn', message, ...fields }))
  },
  error(message, fields) {
    console.error(JSON.stringify({ level: 'error', message, ...fields }))
  },
}

/** Wraps a logger so every message and field is redacted first. */
export function redactingLogger(logger: Logger, redactor: Redactor): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      try {
        logger[level](redactor.text(message), fields && (redactor.value(fields) as Record<string, unknown>))
      } catch {
        // A failing host logger must never break a request.
      }
    }
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') }
}
