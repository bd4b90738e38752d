/** The name of the cookie that holds a demo session's token. */
export const SESSION_COOKIE = 'session'

/**
 * The value of one cookie in a `cookie` request header, or `undefined`. Hand-written rather than
 * `@fastify/cookie`: the BFF reads one cookie and writes one, and that plugin's parser needs a
 * newer Node.js than this project supports.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) {
    return undefined
  }
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim()
      return value === '' ? undefined : value
    }
  }
  return undefined
}

/** Attributes of the session cookie. */
export interface SessionCookieOptions {
  /** Seconds until the browser drops it; 0 clears it. */
  readonly maxAgeS: number
  /** Sent only over HTTPS: set when the request came over HTTPS. */
  readonly secure: boolean
}

/**
 * The name of the cookie that says a session was set. It holds no token, only `1`, and is readable
 * by scripts: a page cannot see the HttpOnly session cookie, and without this hint it would have to
 * ask `GET /auth/me` on every visit and take a 401 (which browsers log as an error) from every
 * anonymous one. It is set, expires and is cleared together with the session cookie. It is a hint
 * and never a credential: nothing on the server reads it.
 */
export const SIGNED_IN_HINT_COOKIE = 'signed_in'

/**
 * The `set-cookie` values of a session: the session cookie, HttpOnly (no script can read the
 * token) and SameSite=Lax (not sent on cross-site subrequests or form posts), for the whole site;
 * then the {@link SIGNED_IN_HINT_COOKIE} with the same lifetime.
 */
export function sessionCookies(token: string, options: SessionCookieOptions): [session: string, hint: string] {
  const attributes = `Path=/; Max-Age=${options.maxAgeS}`
  const secure = options.secure ? '; Secure' : ''
  return [
    `${SESSION_COOKIE}=${token}; ${attributes}; HttpOnly; SameSite=Lax${secure}`,
    `${SIGNED_IN_HINT_COOKIE}=${token === '' ? '' : '1'}; ${attributes}; SameSite=Lax${secure}`,
  ]
}

/** The `set-cookie` values that remove the session cookie and its hint. */
export function clearedSessionCookies(secure: boolean): [session: string, hint: string] {
  return sessionCookies('', { maxAgeS: 0, secure })
}
