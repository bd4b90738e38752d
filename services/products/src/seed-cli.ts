/**
 * `npm run db:seed -w @storefront/products -- --products N` (or `npm run seed -- --products N` from
 * the root, which seeds inventory too): writes products 1..N into the products database, the one
 * the server uses (`DATABASE_URL`, else the embedded PostgreSQL server under `DATA_DIR`), in batches under a progress bar
 * on stderr. Existing products are left as they are, so it can run again with a larger N.
 */
import { readEnv, runSeedCommand } from '@storefront/service-kit'

import { productsEnvSchema } from './config.js'
import { openProductsDatabase } from './database.js'
import { seedProducts } from './seed.js'

process.exitCode = await runSeedCommand({
  label: 'products',
  flag: 'products',
  argv: process.argv.slice(2),
  // The same variables as the server (SERVICE_TOKEN is not needed: nothing listens).
  readEnv: () => readEnv(productsEnvSchema, process.env),
  open: (env) => openProductsDatabase(env),
  seed: seedProducts,
})
