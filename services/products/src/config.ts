import { baseEnv, checkBaseEnv, databaseEnv, int, readEnv } from '@storefront/service-kit'

/** Every variable the products service reads. */
export const productsEnvSchema = {
  ...baseEnv(8000),
  ...databaseEnv(),
  SEED_PRODUCTS: int('Products a fresh database is seeded with.', { fallback: 10, min: 0, max: 1_000_000 }),
  CATALOGUE_CACHE_MS: int('How long a catalogue answer is served from memory, in ms (0: off).', { fallback: 1000, min: 0, max: 3_600_000 }),
}

/** The products service's validated, frozen environment. */
export type ProductsEnv = ReturnType<typeof readProductsEnv>

/** Reads the environment once; a bad value throws naming the variable. */
export function readProductsEnv(env: Readonly<Record<string, string | undefined>> = process.env) {
  return readEnv(productsEnvSchema, env, checkBaseEnv)
}
