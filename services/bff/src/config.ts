import { baseEnv, bool, int, readEnv, str } from '@storefront/service-kit'

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
  // STAND-IN until sign-in (session cookie / bearer token) exists: with this set, the user is
  // whoever the x-user-id header names, so it must never be on where callers can reach the BFF.
  TRUST_USER_HEADER: bool('Stand-in for sign-in, development only: take the user from x-user-id. Default false: everyone is anonymous.', false),
}

/** The BFF's validated, frozen environment. */
export type BffEnv = ReturnType<typeof readBffEnv>

/** Reads the environment once; a bad value throws naming the variable. */
export function readBffEnv(env: Readonly<Record<string, string | undefined>> = process.env) {
  return readEnv(bffEnvSchema, env)
}
