/**
 * The URL Twilio requested, which is what it signed: the configured public URL (origin, plus any path prefix
 * a proxy strips) followed by the request's path and query; else, when the proxy is trusted, the
 * `X-Forwarded-Proto` / `X-Forwarded-Host` it sent; else the request URL itself.
 */
export function twilioRequestUrl(
  request: Request,
  options: { publicUrl?: string | undefined; trustProxy: boolean },
): string {
  const url = new URL(request.url)
  const pathAndQuery = `${url.pathname}${url.search}`
  if (options.publicUrl) return `${options.publicUrl.replace(/\/+$/, '')}${pathAndQuery}`
  if (options.trustProxy) {
    const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim()
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim()
    if (host) return `${proto || url.protocol.replace(':', '')}://${host}${pathAndQuery}`
    if (proto) return `${proto}://${url.host}${pathAndQuery}`
  }
  return url.href
}

/** Joins the public base of the handler with a route path and query, for URLs we hand to Twilio. */
export function publicRouteUrl(base: string, path: string, query: Record<string, string> = {}): string {
  const qs = new URLSearchParams(query).toString()
  return `${base.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`
}
