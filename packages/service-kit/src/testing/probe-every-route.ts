import type { FastifyInstance } from 'fastify'

import { declaredRoutes } from './declared-routes.js'

/** A request a route validates and serves: a concrete URL (with any query the route declares), and a body and headers if it needs them. */
export interface RouteProbe {
  readonly url: string
  readonly payload?: Record<string, unknown>
  readonly headers?: Readonly<Record<string, string>>
}

/** What a route answered a probe: its status, and the problem's `code` and `detail` when there is a body. */
export interface ProbeAnswer {
  readonly route: string
  readonly status: number
  readonly code: unknown
  readonly detail: unknown
}

/** What to add to every probe. */
export interface ProbeExtras {
  /** A query parameter appended to the URL, e.g. `unknown_param=1`. */
  readonly query?: string
  /** Headers sent with every probe, over the probe's own. */
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Sends one request to every route of a ready app, built from `probes` (keyed `METHOD /pattern`,
 * as in `GET /users/:id/cart`; the HEAD Fastify adds to a GET uses the GET's probe) and `extras`,
 * and returns what each answered, in route order. Throws, naming them, when routes have no probe,
 * so a route added later cannot go unchecked.
 */
export async function probeEveryRoute(app: FastifyInstance, probes: Readonly<Record<string, RouteProbe>>, extras: ProbeExtras = {}): Promise<ProbeAnswer[]> {
  const routes = declaredRoutes(app).map(({ method, url }) => ({ method, route: `${method} ${url}`, probe: probes[`${method} ${url}`] ?? (method === 'HEAD' ? probes[`GET ${url}`] : undefined) }))
  const unprobed = routes.filter((route) => route.probe === undefined).map((route) => route.route)
  if (unprobed.length > 0) {
    throw new Error(`no probe for ${unprobed.join(', ')}`)
  }
  const answers: ProbeAnswer[] = []
  for (const { method, route, probe } of routes) {
    const { url, payload, headers } = probe!
    const query = extras.query === undefined ? '' : `${url.includes('?') ? '&' : '?'}${extras.query}`
    const response = await app.inject({
      method: method as 'GET',
      url: `${url}${query}`,
      headers: { ...headers, ...extras.headers },
      ...(payload === undefined ? {} : { payload }),
    })
    const json = /json/.test(String(response.headers['content-type'])) && response.body !== ''
    const body = json ? response.json<Record<string, unknown>>() : {}
    answers.push({ route, status: response.statusCode, code: body.code, detail: body.detail })
  }
  return answers
}

/**
 * The answers `probeEveryRoute` gives when every route answers `status` with a problem of `code`
 * and `detail` (a HEAD answer carries no body): compare its real answers with this.
 */
export function problemEverywhere(answers: readonly ProbeAnswer[], status: number, code: string, detail: unknown): ProbeAnswer[] {
  return answers.map(({ route }) => ({ route, status, ...(route.startsWith('HEAD ') ? { code: undefined, detail: undefined } : { code, detail }) }))
}
