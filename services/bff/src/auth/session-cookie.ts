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
 * A `set-cookie` value for the session: HttpOnly (no script can read the token), SameSite=Lax
 * (not sent on cross-site subrequests or form posts), for the whole site.
 */
export function sessionCookie(token: string, options: SessionCookieOptions): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${options.maxAgeS}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`
}

/** A `set-cookie` value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { maxAgeS: 0, secure })
}
