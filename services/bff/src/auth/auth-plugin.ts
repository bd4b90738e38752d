import { AppError } from '@storefront/service-kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

import { bffErrors } from '../errors.js'
import { clearSessionCookie, sessionCookieOf } from './session-cookie.js'
import { BadTokenError, RevokedTokenError, type TokenVerifier } from './token-verifier.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Whether the route knows its user: `optional` (anonymous allowed) or `required` (401 without a
     * valid session). Routes without it never look at credentials.
     */
    auth?: 'optional' | 'required'
  }
  interface FastifyRequest {
    /** The signed-in user, on routes with `config.auth`; `undefined` for an anonymous caller. */
    userId: number | undefined
  }
}

/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  readonly verifier: TokenVerifier
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const BEARER = /^Bearer\s+(\S+)\s*$/i

/** The token a request carries: the bearer token, else the session cookie; `undefined` for none. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization
  if (authorization !== undefined) {
    return BEARER.exec(authorization)?.[1]
  }
  return sessionCookieOf(request)
}

/**
 * The signed-in user of a route marked `config: { auth: 'required' }`. The auth hook has answered
 * 401 before the handler runs when there is none, so there this only types the id; on a route
 * without the mark it throws that same 401, so a route that forgot it fails closed.
 */
export function signedInUser(request: Pick<FastifyRequest, 'userId'>): number {
  if (request.userId === undefined) {
    throw signInRequired()
  }
  return request.userId
}

/**
 * Resolves the user of routes marked `config.auth`, from `authorization: Bearer <token>` or the
 * `session` cookie, in that order.
 *
 * - A bad bearer token is a 401: the caller sent it on purpose and must learn it is wrong.
 * - A bad or expired cookie makes the caller anonymous and is cleared, with its hint: a browser cannot fix it,
 *   and a stale cookie must not lock anyone out of the catalogue.
 * - A write authenticated by cookie from another site's page (its `Origin` is not this host) is
 *   refused, on top of SameSite=Lax, so no other page can spend the shopper's session.
 */
export const authPlugin = fp<AuthPluginOptions>(
  (app: FastifyInstance, options: AuthPluginOptions, done: (error?: Error) => void) => {
    app.decorateRequest('userId', undefined)
    const resolveUser = (mode: 'optional' | 'required') => async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      request.userId = await userOf(request, reply, options.verifier)
      if (request.userId === undefined && mode === 'required') {
        throw signInRequired()
      }
    }
    // Only on the routes that ask for it: health, metrics and the pages' files pay nothing.
    app.addHook('onRoute', (route) => {
      const mode = route.config?.auth
      if (mode !== undefined) {
        const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]
        route.preHandler = [resolveUser(mode), ...existing]
      }
    })
    done()
  },
  // `request.cookies` and `reply.setCookie` come from @fastify/cookie.
  { name: 'storefront-bff-auth', dependencies: ['@fastify/cookie'] },
)

async function userOf(request: FastifyRequest, reply: FastifyReply, verifier: TokenVerifier): Promise<number | undefined> {
  const authorization = request.headers.authorization
  if (authorization !== undefined) {
    const token = BEARER.exec(authorization)?.[1]
    if (token === undefined) {
      throw badToken('the authorization header is not "Bearer <token>"')
    }
    try {
      return await verifier.verify(token)
    } catch (error) {
      if (error instanceof RevokedTokenError) {
        throw new AppError(bffErrors.SESSION_REVOKED, 'This token was signed out; sign in again.', {
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        })
      }
      throw error instanceof BadTokenError ? badToken(error.message) : error
    }
  }
  const cookie = sessionCookieOf(request)
  if (cookie === undefined) {
    return undefined
  }
  let userId: number
  try {
    userId = await verifier.verify(cookie)
  } catch (error) {
    if (!(error instanceof BadTokenError)) {
      throw error
    }
    void clearSessionCookie(reply)
    return undefined
  }
  if (UNSAFE_METHODS.has(request.method) && !isSameOrigin(request)) {
    throw new AppError(bffErrors.CROSS_SITE, 'A write signed in by cookie must come from this site\'s own pages.')
  }
  return userId
}

/** True unless the browser says the request comes from a page of another origin. */
function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (origin === undefined) {
    // Not a browser's cross-origin request (browsers send Origin on every cross-origin write).
    return true
  }
  try {
    return new URL(origin).host === request.headers.host
  } catch {
    return false
  }
}

function signInRequired(): AppError {
  return new AppError(bffErrors.SIGN_IN_REQUIRED, 'Sign in first: send a session cookie or an authorization: Bearer token.', {
    headers: { 'www-authenticate': 'Bearer' },
  })
}

function badToken(detail: string): AppError {
  return new AppError(bffErrors.BAD_TOKEN, `Invalid token: ${detail}.`, {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  })
}
