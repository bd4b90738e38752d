import { AppError, ID_PATTERN, MAX_ID, kitErrors } from '@storefront/service-kit'
import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from 'jose'

import { RevokedTokens } from './revoked-tokens.js'

/** Why a token was refused; the message is safe to show the caller. */
export class BadTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BadTokenError'
  }
}

/** Why a token that verifies is refused all the same: it was signed out on this process. */
export class RevokedTokenError extends BadTokenError {
  constructor() {
    super('the session was signed out')
    this.name = 'RevokedTokenError'
  }
}

/** Turns a bearer token or session cookie into the user it names. */
export interface TokenVerifier {
  /**
   * The user id in a valid, unexpired, unrevoked token; rejects with {@link BadTokenError}
   * otherwise ({@link RevokedTokenError} for a signed-out one).
   */
  verify(token: string): Promise<number>
  /** Signs `token` out on this process for the rest of its life; a token that does not verify is ignored. */
  revoke(token: string): Promise<void>
}

/** What a token must carry besides a valid signature. */
export interface VerifierOptions {
  /** The key: a shared secret (HS256) or a JSON Web Key Set getter. */
  readonly key: Uint8Array | JWTVerifyGetKey
  readonly issuer?: string | undefined
  readonly audience?: string | undefined
  /** Verified tokens kept, so a busy client's token is not checked again on every request. */
  readonly cacheSize?: number
  /** Where signed-out tokens are kept. Defaults to a list of this verifier's own. */
  readonly revoked?: RevokedTokens
}

/** Algorithms accepted: no `none`, and no asymmetric algorithm for a shared secret (key confusion). */
const SECRET_ALGORITHMS = ['HS256']
const KEY_SET_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA']

const ID = new RegExp(ID_PATTERN)

/** Seconds of clock difference tolerated between the issuer and the BFF. */
const CLOCK_TOLERANCE_S = 5

/**
 * The longest a token may still have to live, in seconds: 30 days, the longest demo session.
 * A token that claims more (`exp: 1e20`) would never expire in practice, so it is refused.
 */
const MAX_TOKEN_LIFETIME_S = 30 * 24 * 60 * 60

/**
 * A verifier of JWTs whose `sub` is a user id. Results are cached until the token expires (a
 * signature check costs tens of microseconds; a page makes several requests with one token).
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const algorithms = options.key instanceof Uint8Array ? SECRET_ALGORITHMS : KEY_SET_ALGORITHMS
  const cache = new Map<string, { userId: number; expiresAtMs: number }>()
  const cacheSize = options.cacheSize ?? 10_000
  const revoked = options.revoked ?? new RevokedTokens()

  const check = async (token: string): Promise<{ userId: number; expiresAtMs: number }> => {
    const cached = cache.get(token)
    if (cached !== undefined) {
      if (cached.expiresAtMs > Date.now()) {
        return cached
      }
      cache.delete(token)
    }
    let payload: JWTPayload
    try {
      // Two calls, because jose's overloads need the key's kind known.
      const verified = typeof options.key === 'function'
        ? await jwtVerify(token, options.key, verifyOptions(options, algorithms))
        : await jwtVerify(token, options.key, verifyOptions(options, algorithms))
      payload = verified.payload
    } catch (error) {
      if (isKeySetUnreachable(error)) {
        // The identity provider cannot be asked: the token is not known to be bad, so no 401.
        throw new AppError(kitErrors.UPSTREAM_UNAVAILABLE, 'The identity provider\'s keys could not be fetched; try again shortly.', { cause: error })
      }
      throw new BadTokenError(describe(error), { cause: error })
    }
    const userId = userIdOf(payload.sub)
    const expiresAtMs = expiryOf(payload.exp)
    if (cache.size >= cacheSize) {
      // Crude but bounded: a full cache starts again rather than growing with every token seen.
      cache.clear()
    }
    const entry = { userId, expiresAtMs }
    cache.set(token, entry)
    return entry
  }

  return {
    async verify(token) {
      if (revoked.has(token)) {
        throw new RevokedTokenError()
      }
      return (await check(token)).userId
    },
    async revoke(token) {
      let expiresAtMs: number
      try {
        ({ expiresAtMs } = await check(token))
      } catch (error) {
        if (error instanceof BadTokenError) {
          return
        }
        throw error
      }
      cache.delete(token)
      // Kept past the cache's expiry by the clock tolerance jose grants, so no late use slips through.
      revoked.revoke(token, expiresAtMs + 2 * CLOCK_TOLERANCE_S * 1000)
    },
  }
}

/** A verifier of an identity provider's keys, fetched from its JWKS URL (cached and refreshed by jose). */
export function keySetFrom(url: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url))
}

function verifyOptions(options: VerifierOptions, algorithms: string[]) {
  return {
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_S,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  }
}

/** The user id in `sub`: a positive 32-bit integer written as a decimal string, nothing else. */
function userIdOf(sub: unknown): number {
  // jose leaves `sub` unchecked: a number or an array would pass the pattern once turned into a string.
  if (typeof sub !== 'string' || !ID.test(sub) || Number(sub) > MAX_ID) {
    throw new BadTokenError('the token\'s subject (sub) is not a user id')
  }
  return Number(sub)
}

/** When the token stops being accepted, in ms: `exp` must be there, and within the longest lifetime. */
function expiryOf(exp: unknown): number {
  if (exp === undefined) {
    // A token that never expires cannot be revoked by waiting: refuse it.
    throw new BadTokenError('the token has no expiry (exp)')
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp - Date.now() / 1000 > MAX_TOKEN_LIFETIME_S + CLOCK_TOLERANCE_S) {
    throw new BadTokenError('the token\'s expiry (exp) is further away than the longest session')
  }
  return (exp - CLOCK_TOLERANCE_S) * 1000
}

/** A failure to fetch the key set (timeout, refused, not JSON), as opposed to a token that fails to verify. */
function isKeySetUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JWKS_INVALID' || error instanceof TypeError
}

/** A short reason from jose's error codes, never the token itself. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired'
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token\'s signature does not verify'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return 'the token\'s claims are not accepted here'
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token\'s algorithm is not accepted'
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key of the identity provider matches the token'
    default:
      return 'the token is malformed'
  }
}
