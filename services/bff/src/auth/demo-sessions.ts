import { SignJWT } from 'jose'

/** The issuer and audience of demo sessions: a token of another system is never taken for one. */
export const DEMO_ISSUER = 'storefront-bff'
export const DEMO_AUDIENCE = 'storefront'

/** A signed demo session. */
export interface IssuedSession {
  readonly token: string
  /** Seconds it lasts. */
  readonly ttlS: number
}

/** Issues demo sessions: HS256 JWTs whose `sub` is the user id, signed with `AUTH_SECRET`. */
export class DemoSessions {
  readonly #secret: Uint8Array
  readonly #ttlS: number

  constructor(secret: Uint8Array, ttlS: number) {
    this.#secret = secret
    this.#ttlS = ttlS
  }

  /** A session for `userId`, expiring after the configured time. */
  async issue(userId: number): Promise<IssuedSession> {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuer(DEMO_ISSUER)
      .setAudience(DEMO_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.#ttlS}s`)
      .sign(this.#secret)
    return { token, ttlS: this.#ttlS }
  }
}
