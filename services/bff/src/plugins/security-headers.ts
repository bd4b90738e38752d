import type { IncomingMessage, ServerResponse } from 'node:http'

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * The headers helmet sets for `options`, worked out once. Helmet's headers do not depend on the
 * request, so there is no reason to run its middleware (and re-parse the content security policy)
 * for every request, as `@fastify/helmet` does.
 */
export function securityHeadersFor(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader(name: string) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the header names are helmet's own
      delete headers[name.toLowerCase()]
    },
  }
  let failure: unknown
  // Helmet reads nothing of the request; the response only has to take and drop headers.
  helmet(options)({} as unknown as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error
  })
  if (failure !== undefined) {
    throw failure
  }
  return Object.freeze(headers)
}

/**
 * Adds the security headers helmet recommends (a strict content security policy, `nosniff`,
 * `frame-options`, `referrer-policy`, HSTS and the rest) to every answer, errors included.
 */
export const securityHeadersPlugin = fp<HelmetOptions>(
  (app: FastifyInstance, options: HelmetOptions, done: (error?: Error) => void) => {
    const headers = securityHeadersFor(options)
    app.addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, next: () => void) => {
      void reply.headers(headers)
      next()
    })
    done()
  },
  { name: 'storefront-security-headers' },
)
