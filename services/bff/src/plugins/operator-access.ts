import { createHash, timingSafeEqual } from 'node:crypto'

import { AppError } from '@storefront/service-kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { bffErrors } from '../errors.js'

const BEARER = /^Bearer\s+(\S+)\s*$/i
const CHALLENGE = { 'www-authenticate': 'Bearer realm="operations"' }

/** True for the operator surfaces: `/metrics` and every route under `/ops/` (not the `/ops` page). */
export function isOperatorRoute(url: string | undefined): boolean {
  return url === '/metrics' || (url?.startsWith('/ops/') ?? false)
}

/** A fixed-length digest, so comparing tokens takes the same time whatever the guess. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * Closes the operator surfaces (`GET /metrics`, everything under `/ops/`) to anyone without
 * `authorization: Bearer <OPS_TOKEN>`: 401 without a token (or with no `OPS_TOKEN` configured),
 * 403 with a wrong one. They show internal state and switch faults on, and `/metrics` costs
 * milliseconds of CPU a call.
 *
 * Added as a root hook right after the app is created, so it covers routes the kit registers too;
 * the pages (`/`, `/ops`) and health stay public. The caller decides when it applies (not in demo
 * mode on loopback, where the dashboard is the developer's own).
 */
export function requireOperatorToken(app: FastifyInstance, token: string | undefined): void {
  const expected = token === undefined ? undefined : digest(token)
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    if (!isOperatorRoute(request.routeOptions.url)) {
      done()
      return
    }
    if (expected === undefined) {
      done(new AppError(bffErrors.OPS_TOKEN_REQUIRED, 'The operator routes are closed: set OPS_TOKEN on this BFF and send it as authorization: Bearer <OPS_TOKEN>.', { headers: CHALLENGE }))
      return
    }
    const authorization = request.headers.authorization
    if (authorization === undefined) {
      done(new AppError(bffErrors.OPS_TOKEN_REQUIRED, 'Send the operator token as authorization: Bearer <OPS_TOKEN>.', { headers: CHALLENGE }))
      return
    }
    const presented = BEARER.exec(authorization)?.[1]
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      done(new AppError(bffErrors.OPS_TOKEN_WRONG, 'The operator token is not the one this BFF holds.'))
      return
    }
    done()
  })
}
