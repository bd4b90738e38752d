import { timingSafeEqual } from 'node:crypto'

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

import { AppError, kitErrors } from '../errors/app-error.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without the service token (health, metrics). */
    public?: boolean
  }
}

/** Options of {@link serviceAuthPlugin}. */
export interface ServiceAuthOptions {
  /** The token callers must present; `undefined` turns the check off (development on loopback). */
  readonly token: string | undefined
}

/**
 * Answers 401 to any request without `authorization: Bearer <SERVICE_TOKEN>`, except on routes
 * marked `config: { public: true }`. The comparison takes the same time whatever the token.
 */
export const serviceAuthPlugin = fp<ServiceAuthOptions>(
  (app: FastifyInstance, options: ServiceAuthOptions, done: (error?: Error) => void) => {
    const token = options.token
    if (token !== undefined) {
      const expected = Buffer.from(`Bearer ${token}`)
      app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, next: (error?: Error) => void) => {
        if (request.routeOptions.config.public === true) {
          next()
          return
        }
        const given = Buffer.from(request.headers.authorization ?? '')
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          next(new AppError(kitErrors.UNAUTHORIZED, 'Send authorization: Bearer <service token>.', { headers: { 'www-authenticate': 'Bearer' } }))
          return
        }
        next()
      })
    }
    done()
  },
  { name: 'storefront-service-auth' },
)
