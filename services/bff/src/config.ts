import { type EnvOf, type EnvVar, ConfigError, baseEnv, bool, checkBaseEnv, checkSecret, int, isLoopback, optionalSecret, optionalStr, originList, readEnv, secretWeakness, trustProxy } from '@storefront/service-kit'

/** Every variable the BFF reads: it keeps no data, so no database variables. */
export const bffEnvSchema = {
  ...baseEnv(9000),
  PRODUCTS_URL: originList('Origin of the products service, or its replicas\' origins separated by commas. A host name stands for every address it resolves to.', 'http://127.0.0.1:8000'),
  INVENTORY_URL: originList('Origin of the inventory service, or its replicas\' origins separated by commas. A host name stands for every address it resolves to.', 'http://127.0.0.1:8001'),
  FAVORITES_URL: originList('Origin of the favorites service, or its replicas\' origins separated by commas. A host name stands for every address it resolves to.', 'http://127.0.0.1:8002'),
  CART_URL: originList('Origin of the cart service, or its replicas\' origins separated by commas. A host name stands for every address it resolves to.', 'http://127.0.0.1:8003'),
  PRODUCTS_TIMEOUT_MS: int('Budget of products (and of the optional cart and favorites) on GET /products/all, in ms.', { fallback: 1000, min: 1, max: 60_000 }),
  INVENTORY_TIMEOUT_MS: int('Budget of inventory on GET /products/all, counted from the products answer, in ms.', { fallback: 1000, min: 1, max: 60_000 }),
  CATALOGUE_TTL_MS: int('How long the BFF serves a catalogue it read without asking products again, in ms. 0 turns the catalogue cache off.', { fallback: 1000, min: 0, max: 3_600_000 }),
  STOCK_TTL_MS: int('How long the BFF serves a product\'s stock without asking inventory again, in ms. 0 turns the stock cache off.', { fallback: 250, min: 0, max: 3_600_000 }),
  STALE_IF_ERROR_MS: int('How long a catalogue or stock figure already read may stand in, marked stale, when products or inventory fails, times out or has its circuit open, in ms. 0 turns it off.', { fallback: 300_000, min: 0, max: 86_400_000 }),
  MAX_CONCURRENT_PAGES: int('The most GET /products/all pages in progress at once, always. Under it, while the BFF\'s event loop is busy, an adaptive limit that finds itself from the pages\' latency sheds the rest with 503 SVC_ERR_OVERLOADED.', { fallback: 1000, min: 1, max: 100_000 }),
  ADAPTIVE_PAGE_LIMIT: bool('The adaptive page limit (see MAX_CONCURRENT_PAGES). false turns it off, so that pages queue for the core up to MAX_CONCURRENT_PAGES: for comparison runs, not for serving.', true),
  WRITE_TIMEOUT_MS: int('Budget of a cart or favorites call outside the page (the user\'s lists and writes), retries included, in ms.', { fallback: 2000, min: 1, max: 60_000 }),
  AUTH_MODE: authMode('How users sign in: demo (POST /auth/login with a user id, for local runs) or jwt (tokens from an identity provider). Defaults to demo on a loopback HOST; required on any other.'),
  ALLOW_DEMO_AUTH: bool('Lets AUTH_MODE=demo (anyone signs in as any user) run on a non-loopback HOST, e.g. a shared demo machine.', false),
  AUTH_SECRET: optionalSecret('Signs demo sessions (HS256). Unset in demo mode: generated per run, so sessions end with the process.', { minLength: 32 }),
  AUTH_SESSION_TTL_S: int('How long a demo session lasts, in seconds.', { fallback: 8 * 60 * 60, min: 60, max: 30 * 24 * 60 * 60 }),
  AUTH_JWT_SECRET: optionalSecret('jwt mode: the shared secret (HS256) the identity provider signs tokens with. Unset: AUTH_SECRET, unless AUTH_JWKS_URL is set.', { minLength: 32 }),
  AUTH_JWKS_URL: optionalStr('jwt mode: the identity provider\'s JSON Web Key Set, for RS256/ES256/EdDSA tokens.', { pattern: /^https?:\/\// }),
  AUTH_JWT_ISSUER: optionalStr('jwt mode: the `iss` every token must carry (unset: not checked).'),
  AUTH_JWT_AUDIENCE: optionalStr('jwt mode: the `aud` every token must carry (unset: not checked).'),
  OPS_TOKEN: optionalSecret('Bearer token for GET /metrics and everything under /ops/ (at least 16 characters; off loopback 32). Not needed in demo mode on a loopback HOST; unset elsewhere, those routes answer 401.', { minLength: 16 }),
  TRUST_PROXY: trustProxy('Proxies believed about the client\'s address and protocol (x-forwarded-for, x-forwarded-proto): false, a hop count, or a comma-separated list of addresses and CIDRs. Default false.'),
  RATE_LIMIT_PER_MINUTE: int('Requests one client (one IP address) may make per minute; more are answered 429. 0 turns the limit off.', { fallback: 1200, min: 0, max: 100_000_000 }),
  RATE_LIMIT_REDIS_URL: redisUrl('The Redis that holds the rate limit\'s counts, so that every BFF process pointed at it shares one limit: redis://[[user]:password@]host[:port][/db], or rediss:// for TLS. Unset: each process counts on its own, in memory.'),
  RATE_LIMIT_REDIS_TIMEOUT_MS: int('Longest a rate-limit check waits for Redis, in ms; past it, or while Redis is unreachable, the request goes through without the limit.', { fallback: 100, min: 1, max: 5000 }),
}

/** How users sign in. */
export type AuthMode = 'demo' | 'jwt'

/** `AUTH_MODE`: unset stays `undefined` here, so that the default can depend on `HOST`. */
function authMode(doc: string): EnvVar<AuthMode | undefined> {
  return {
    doc,
    parse: (raw) => {
      if (raw === undefined) {
        return undefined
      }
      if (raw !== 'demo' && raw !== 'jwt') {
        throw new Error('must be one of demo, jwt')
      }
      return raw
    },
  }
}

/** What {@link redisUrl} accepts: a Redis URL without a query string, whose options would override the BFF's. */
const REDIS_URL_FORM = 'must be redis://[[user]:password@]host[:port][/db] or rediss://… with nothing after the database number'

/**
 * `RATE_LIMIT_REDIS_URL`: a `redis://` or `rediss://` URL, or `undefined` when unset. It may carry
 * a password, so a bad value is never repeated in the error.
 */
function redisUrl(doc: string): EnvVar<string | undefined> {
  return {
    doc,
    secret: true,
    parse: (raw) => {
      if (raw === undefined) {
        return undefined
      }
      let url: URL
      try {
        url = new URL(raw)
        // The client decodes the user and password; a malformed escape would fail it at start.
        decodeURIComponent(url.username)
        decodeURIComponent(url.password)
      } catch {
        throw new Error(REDIS_URL_FORM)
      }
      const isRedis = url.protocol === 'redis:' || url.protocol === 'rediss:'
      if (!isRedis || url.hostname === '' || !/^(\/\d*)?$/.test(url.pathname) || url.search !== '' || url.hash !== '') {
        throw new Error(REDIS_URL_FORM)
      }
      return raw
    },
  }
}

/** The BFF's validated, frozen environment. */
export type BffEnv = Omit<EnvOf<typeof bffEnvSchema>, 'AUTH_MODE'> & { readonly AUTH_MODE: AuthMode }

/** Reads the environment once; a bad value throws naming the variable. */
export function readBffEnv(env: Readonly<Record<string, string | undefined>> = process.env): BffEnv {
  const read = readEnv(bffEnvSchema, env, (values) => {
    checkBaseEnv(values)
    checkAuthEnv({ ...values, AUTH_MODE: resolveAuthMode(values) })
    checkSecrets(values)
  })
  return Object.freeze({ ...read, AUTH_MODE: resolveAuthMode(read) })
}

/**
 * Demo sign-in lets anyone be any user: it is the default only where nobody else can connect, and
 * elsewhere it must be asked for twice (`AUTH_MODE=demo` and `ALLOW_DEMO_AUTH=true`).
 */
function resolveAuthMode(env: Pick<EnvOf<typeof bffEnvSchema>, 'HOST' | 'AUTH_MODE' | 'ALLOW_DEMO_AUTH'>): AuthMode {
  if (isLoopback(env.HOST)) {
    return env.AUTH_MODE ?? 'demo'
  }
  if (env.AUTH_MODE === undefined) {
    throw new ConfigError('AUTH_MODE', `is required when HOST is not a loopback address (HOST is ${env.HOST}): set AUTH_MODE=jwt, or AUTH_MODE=demo with ALLOW_DEMO_AUTH=true`, undefined)
  }
  if (env.AUTH_MODE === 'demo' && !env.ALLOW_DEMO_AUTH) {
    throw new ConfigError('ALLOW_DEMO_AUTH', `must be true for AUTH_MODE=demo on a non-loopback HOST (HOST is ${env.HOST}): demo sign-in lets anyone sign in as any user`, undefined)
  }
  return env.AUTH_MODE
}

/** Cross-variable rules of sign-in: jwt mode needs a way to verify tokens. */
function checkAuthEnv(env: Pick<BffEnv, 'AUTH_MODE' | 'AUTH_SECRET' | 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL'>): void {
  if (env.AUTH_MODE === 'jwt' && env.AUTH_JWT_SECRET === undefined && env.AUTH_JWKS_URL === undefined && env.AUTH_SECRET === undefined) {
    throw new ConfigError('AUTH_JWT_SECRET', 'AUTH_MODE=jwt needs AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_SECRET to verify tokens', undefined)
  }
  if (env.AUTH_JWT_SECRET !== undefined && env.AUTH_JWKS_URL !== undefined) {
    throw new ConfigError('AUTH_JWKS_URL', 'set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both', undefined)
  }
}

/** Off loopback, every secret the BFF holds must be one nobody could guess or copy. */
function checkSecrets(env: Pick<BffEnv, 'HOST' | 'SERVICE_TOKEN' | 'AUTH_SECRET' | 'AUTH_JWT_SECRET' | 'OPS_TOKEN' | 'RATE_LIMIT_REDIS_URL'>): void {
  checkSecret('SERVICE_TOKEN', env.SERVICE_TOKEN, env.HOST)
  checkSecret('AUTH_SECRET', env.AUTH_SECRET, env.HOST)
  checkSecret('AUTH_JWT_SECRET', env.AUTH_JWT_SECRET, env.HOST)
  checkSecret('OPS_TOKEN', env.OPS_TOKEN, env.HOST)
  checkRedisPassword(env.RATE_LIMIT_REDIS_URL, env.HOST)
}

/**
 * The password in `RATE_LIMIT_REDIS_URL` is held to the rule of every other secret off loopback:
 * whoever has it can empty or fill every client's count. Refused with one line that names the
 * variable and shows neither the URL nor the password.
 */
function checkRedisPassword(url: string | undefined, host: string): void {
  if (url === undefined || isLoopback(host)) {
    return
  }
  const password = decodeURIComponent(new URL(url).password)
  const weakness = password === '' ? undefined : secretWeakness(password)
  if (weakness !== undefined) {
    throw new ConfigError('RATE_LIMIT_REDIS_URL', `its password ${weakness} (HOST is ${host}, not a loopback address)`, undefined)
  }
}

/**
 * True where the operator routes (`/metrics`, `/ops/*`) are open without `OPS_TOKEN`: demo mode on
 * a loopback address, where the dashboard is a developer's own.
 */
export function isOpenDemo(env: Pick<BffEnv, 'AUTH_MODE' | 'HOST'>): boolean {
  return env.AUTH_MODE === 'demo' && isLoopback(env.HOST)
}
