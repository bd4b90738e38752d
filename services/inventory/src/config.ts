import { baseEnv, checkBaseEnv, databaseEnv, int, readEnv } from '@storefront/service-kit'

/** Every variable the inventory service reads. */
export const inventoryEnvSchema = {
  ...baseEnv(8001),
  ...databaseEnv(),
  // Same name and bounds as in products, so one setting gives every product of a fresh catalogue its stock.
  SEED_PRODUCTS: int('Products 1..N a fresh database gets stock for.', { fallback: 10, min: 0, max: 1_000_000 }),
}

/** The inventory service's validated, frozen environment. */
export type InventoryEnv = ReturnType<typeof readInventoryEnv>

/** Reads the environment once; a bad value throws naming the variable. */
export function readInventoryEnv(env: Readonly<Record<string, string | undefined>> = process.env) {
  return readEnv(inventoryEnvSchema, env, checkBaseEnv)
}
