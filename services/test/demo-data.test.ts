import type { Database } from '@storefront/service-kit'
import { TEST_SERVICE_TOKEN, type TestDatabase, createTestDatabase } from '@storefront/service-kit/testing'
import { afterEach, describe, expect, it } from 'vitest'

import { readCartEnv } from '../cart/src/config.js'
import { openCartDatabase } from '../cart/src/database.js'
import { readFavoritesEnv } from '../favorites/src/config.js'
import { openFavoritesDatabase } from '../favorites/src/database.js'
import { readInventoryEnv } from '../inventory/src/config.js'
import { openInventoryDatabase } from '../inventory/src/database.js'
import { readProductsEnv } from '../products/src/config.js'
import { openProductsDatabase } from '../products/src/database.js'

/**
 * Demo rows are written only where they are asked for (SEED_DEMO_DATA=true, as npm start sets), once
 * per database, never by a migration: a production database starts empty, and data its users
 * removed stays removed across restarts.
 */

type Open = (database: TestDatabase, seed: boolean) => Promise<Database>

const base = (database: TestDatabase, seed: boolean) => ({
  SERVICE_TOKEN: TEST_SERVICE_TOKEN,
  LOG_LEVEL: 'silent',
  DATABASE_URL: database.location.databaseUrl!,
  SEED_DEMO_DATA: String(seed),
})

const services: Record<string, { open: Open; table: string; seededRows: number }> = {
  products: { open: (database, seed) => openProductsDatabase(readProductsEnv(base(database, seed))), table: 'products', seededRows: 10 },
  inventory: { open: (database, seed) => openInventoryDatabase(readInventoryEnv(base(database, seed))), table: 'inventory', seededRows: 10 },
  favorites: { open: (database, seed) => openFavoritesDatabase(readFavoritesEnv(base(database, seed))), table: 'favorites', seededRows: 6 },
  cart: { open: (database, seed) => openCartDatabase(readCartEnv(base(database, seed))), table: 'cart_items', seededRows: 6 },
}

const dropAfter: TestDatabase[] = []
afterEach(async () => {
  await Promise.all(dropAfter.splice(0).map((database) => database.drop()))
})

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
  return row!.n
}

describe.each(Object.entries(services))('%s', (name, service) => {
  it('starts a fresh database empty without SEED_DEMO_DATA', async () => {
    const database = await createTestDatabase(name)
    dropAfter.push(database)
    const db = await service.open(database, false)
    try {
      expect(await count(db, service.table)).toBe(0)
    } finally {
      await db.close()
    }
  })

  it('writes the demo rows once with SEED_DEMO_DATA=true: emptied, the table stays empty after a restart', async () => {
    const database = await createTestDatabase(name)
    dropAfter.push(database)
    const first = await service.open(database, true)
    try {
      expect(await count(first, service.table)).toBe(service.seededRows)
      await first.query(`DELETE FROM ${service.table}`)
    } finally {
      await first.close()
    }
    const second = await service.open(database, true)
    try {
      expect(await count(second, service.table)).toBe(0)
    } finally {
      await second.close()
    }
  })
})
