import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from 'jose'

import { AppError, ID_PATTERN, MAX_ID, kitErrors } from '@storefront/service-kit'

/** Why a token was refused; the message is safe to show the caller. */
export class BadTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BadTokenError'
  }
}

/** Turns a bearer token or session cookie into the user it names. */
export interface TokenVerifier {
  /** The user id in a valid, unexpired token; rejects with {@link BadTokenError} otherwise. */
  verify(token: string): Promise<number>
}

/** What a token must carry besides a valid signature. */
export interface VerifierOptions {
  /** The key: a shared secret (HS256) or a JSON Web Key Set getter. */
  readonly key: Uint8Array | JWTVerifyGetKey
  readonly issuer?: string | undefined
  readonly audience?: string | undefined
  /** Verified tokens kept, so a busy client's token is not checked again on every request. */
  readonly cacheSize?: number
}

/** Algorithms accepted: no `none`, and no asymmetric algorithm for a shared secret (key confusion). */
const SECRET_ALGORITHMS = ['HS256']
const KEY_SET_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA']

const ID = new RegExp(ID_PATTERN)

/** Seconds of clock difference tolerated between the issuer and the BFF. */
const CLOCK_TOLERANCE_S = 5

/**
 * A verifier of JWTs whose `sub` is a user id. Results are cached until the token expires (a
 * signature check costs tens of microseconds; a page makes several requests with one token).
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const algorithms = options.key instanceof Uint8Array ? SECRET_ALGORITHMS : KEY_SET_ALGORITHMS
  const cache = new Map<string, { userId: number; expiresAtMs: number }>()
  const cacheSize = options.cacheSize ?? 10_000
  return {
    async verify(token) {
      const cached = cache.get(token)
      if (cached !== undefined) {
        if (cached.expiresAtMs > Date.now()) {
          return cached.userId
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
      if (payload.exp === undefined) {
        // A token that never expires cannot be revoked by waiting: refuse it.
        throw new BadTokenError('the token has no expiry (exp)')
      }
      if (cache.size >= cacheSize) {
        // Crude but bounded: a full cache starts again rather than growing with every token seen.
        cache.clear()
      }
      cache.set(token, { userId, expiresAtMs: (payload.exp - CLOCK_TOLERANCE_S) * 1000 })
      return userId
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

/** The user id in `sub`: a positive 32-bit integer written in decimal. */
function userIdOf(sub: string | undefined): number {
  if (sub === undefined || !ID.test(sub) || Number(sub) > MAX_ID) {
    throw new BadTokenError('the token\'s subject (sub) is not a user id')
  }
  return Number(sub)
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
