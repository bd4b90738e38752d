import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The name of the cookie that holds a demo session's token. */
const SESSION_COOKIE = 'session'

/**
 * The session cookie's attributes: HttpOnly (no script can read the token), SameSite=Lax (not sent
 * on cross-site subrequests or form posts), for the whole site, and Secure when the request came
 * over HTTPS (`request.protocol`, which believes `x-forwarded-proto` only from `TRUST_PROXY`).
 */
const ATTRIBUTES: Readonly<CookieSerializeOptions> = { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' }

/** The session token the request's cookie holds, or `undefined` (no cookie, or an empty one). */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE]
  return value === '' ? undefined : value
}

/**
 * The name of the cookie that says a session was set. It holds no token, only `1`, and is readable
 * by scripts: a page cannot see the HttpOnly session cookie, and without this hint it would have to
 * ask `GET /auth/me` on every visit and take a 401 (which browsers log as an error) from every
 * anonymous one. It is set, expires and is cleared together with the session cookie. It is a hint
 * and never a credential: nothing on the server reads it.
 */
const SIGNED_IN_HINT_COOKIE = 'signed_in'

/** The hint's attributes: the session cookie's, but readable by the page's script. */
const HINT_ATTRIBUTES: Readonly<CookieSerializeOptions> = { ...ATTRIBUTES, httpOnly: false }

/** True when the request carries the {@link SIGNED_IN_HINT_COOKIE}, whatever its session cookie says. */
export function hasSignedInHint(request: FastifyRequest): boolean {
  const value = request.cookies[SIGNED_IN_HINT_COOKIE]
  return value !== undefined && value !== ''
}

/** Sets the session cookie to `token`, and its {@link SIGNED_IN_HINT_COOKIE}, kept by the browser for `maxAgeS` seconds. */
export function setSessionCookie(reply: FastifyReply, token: string, maxAgeS: number): FastifyReply {
  return reply
    .setCookie(SESSION_COOKIE, token, { ...ATTRIBUTES, maxAge: maxAgeS })
    .setCookie(SIGNED_IN_HINT_COOKIE, '1', { ...HINT_ATTRIBUTES, maxAge: maxAgeS })
}

/** Removes the session cookie and its hint (`Max-Age=0`, and an `Expires` in the past for old browsers). */
export function clearSessionCookie(reply: FastifyReply): FastifyReply {
  return reply.clearCookie(SESSION_COOKIE, ATTRIBUTES).clearCookie(SIGNED_IN_HINT_COOKIE, HINT_ATTRIBUTES)
}
