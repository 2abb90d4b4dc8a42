import { apiRoutes } from './accountRoutes'
import type { Route } from './routeKit'
import { originationRoutes, trunkCredentialRoutes, trunkNumberRoutes, trunkRoutes } from './trunkingRoutes'
import { voiceRoutes } from './voiceRoutes'

export const ROUTES: Route[] = [
  ...trunkRoutes,
  ...originationRoutes,
  ...trunkNumberRoutes,
  ...trunkCredentialRoutes,
  ...apiRoutes,
  ...voiceRoutes,
]

/** Route ids, for fault injection. */
export type TwilioRouteId = (typeof ROUTES)[number]['id']

/** Find the route for a method + product + path. `methodMismatch` is set when the path exists under another method. */
export function matchRoute(
  method: string,
  product: Route['product'],
  pathname: string,
): { route: Route; params: Record<string, string> } | { route: null; methodMismatch: boolean } {
  let methodMismatch = false
  for (const r of ROUTES) {
    if (r.product !== product) continue
    const m = r.pattern.exec(pathname)
    if (!m) continue
    if (r.method !== method) {
      methodMismatch = true
      continue
    }
    const params: Record<string, string> = {}
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1] ?? '')
    })
    return { route: r, params }
  }
  return { route: null, methodMismatch }
}
