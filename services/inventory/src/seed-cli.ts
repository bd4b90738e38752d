/**
 * `npm run db:seed -w @storefront/inventory -- --products N` (or `npm run seed -- --products N` from
 * the root, which seeds the catalogue too): writes stock for products 1..N into the inventory
 * database, the one the server uses (`DATABASE_URL`, else the embedded PostgreSQL server under `DATA_DIR`), in batches
 * under a progress bar on stderr. Existing stock rows are left as they are, so it can run again
 * with a larger N.
 */
import { readEnv, runSeedCommand } from '@storefront/service-kit'

import { inventoryEnvSchema } from './config.js'
import { openInventoryDatabase } from './database.js'
import { seedInventory } from './seed.js'

process.exitCode = await runSeedCommand({
  label: 'inventory',
  flag: 'products',
  argv: process.argv.slice(2),
  // The same variables as the server (SERVICE_TOKEN is not needed: nothing listens).
  readEnv: () => readEnv(inventoryEnvSchema, process.env),
  open: (env) => openInventoryDatabase(env),
  seed: seedInventory,
})
