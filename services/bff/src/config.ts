import { type EnvOf, baseEnv, int, oneOf, optionalStr, readEnv, str } from '@storefront/service-kit'

const HTTP_ORIGIN = /^https?:\/\/[^/?#]+\/?$/

/** Every variable the BFF reads. */
export const bffEnvSchema = {
  ...baseEnv('bff', 9000),
  PRODUCTS_URL: str('Origin of the products service.', { fallback: 'http://127.0.0.1:8000', pattern: HTTP_ORIGIN }),
  INVENTORY_URL: str('Origin of the inventory service.', { fallback: 'http://127.0.0.1:8001', pattern: HTTP_ORIGIN }),
  FAVORITES_URL: str('Origin of the favorites service.', { fallback: 'http://127.0.0.1:8002', pattern: HTTP_ORIGIN }),
  CART_URL: str('Origin of the cart service.', { fallback: 'http://127.0.0.1:8003', pattern: HTTP_ORIGIN }),
  PRODUCTS_TIMEOUT_MS: int('Budget of products (and of the optional cart and favorites) on GET /products/all, in ms.', { fallback: 1000, min: 1, max: 60_000 }),
  INVENTORY_TIMEOUT_MS: int('Budget of inventory on GET /products/all, counted from the products answer, in ms.', { fallback: 1000, min: 1, max: 60_000 }),
  WRITE_TIMEOUT_MS: int('Budget of a cart or favorites call outside the page (the user\'s lists and writes), retries included, in ms.', { fallback: 2000, min: 1, max: 60_000 }),
  AUTH_MODE: oneOf('How users sign in: demo (POST /auth/login with a user id, for local runs) or jwt (tokens from an identity provider).', ['demo', 'jwt'], 'demo'),
  AUTH_SECRET: optionalStr('Signs demo sessions (HS256). Unset in demo mode: generated per run, so sessions end with the process.', { minLength: 32 }),
  AUTH_SESSION_TTL_S: int('How long a demo session lasts, in seconds.', { fallback: 8 * 60 * 60, min: 60, max: 30 * 24 * 60 * 60 }),
  AUTH_JWT_SECRET: optionalStr('jwt mode: the shared secret (HS256) the identity provider signs tokens with. Unset: AUTH_SECRET, unless AUTH_JWKS_URL is set.', { minLength: 32 }),
  AUTH_JWKS_URL: optionalStr('jwt mode: the identity provider\'s JSON Web Key Set, for RS256/ES256/EdDSA tokens.', { pattern: /^https?:\/\// }),
  AUTH_JWT_ISSUER: optionalStr('jwt mode: the `iss` every token must carry (unset: not checked).'),
  AUTH_JWT_AUDIENCE: optionalStr('jwt mode: the `aud` every token must carry (unset: not checked).'),
  RATE_LIMIT_PER_MINUTE: int('Requests one client (one IP address) may make per minute; more are answered 429. 0 turns the limit off.', { fallback: 1200, min: 0, max: 100_000_000 }),
}

/** The BFF's validated, frozen environment. */
export type BffEnv = EnvOf<typeof bffEnvSchema>

/** Reads the environment once; a bad value throws naming the variable. */
export function readBffEnv(env: Readonly<Record<string, string | undefined>> = process.env): BffEnv {
  const read = readEnv(bffEnvSchema, env)
  checkAuthEnv(read)
  return read
}

/** Cross-variable rules of sign-in: jwt mode needs a way to verify tokens. */
function checkAuthEnv(env: Pick<BffEnv, 'AUTH_MODE' | 'AUTH_SECRET' | 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL'>): void {
  if (env.AUTH_MODE === 'jwt' && env.AUTH_JWT_SECRET === undefined && env.AUTH_JWKS_URL === undefined && env.AUTH_SECRET === undefined) {
    throw new Error('Invalid environment variable AUTH_JWT_SECRET: AUTH_MODE=jwt needs AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_SECRET to verify tokens')
  }
  if (env.AUTH_JWT_SECRET !== undefined && env.AUTH_JWKS_URL !== undefined) {
    throw new Error('Invalid environment variable AUTH_JWKS_URL: set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both')
  }
}
