import type { Database } from '@storefront/service-kit'
import { type ServiceUnderTest, type ServiceUnderTestDefinition, type TestDatabase, startServiceUnderTest } from '@storefront/service-kit/testing'

import { buildApp } from '../src/app.js'
import { type InventoryEnv, readInventoryEnv } from '../src/config.js'
import { inventoryDatabase } from '../src/database.js'

/** The inventory service as the kit's test harness starts it. */
const inventory: ServiceUnderTestDefinition<InventoryEnv> = { name: 'inventory', readEnv: readInventoryEnv, database: inventoryDatabase, buildApp }

/** A running inventory app on a test database. */
export type InventoryHarness = ServiceUnderTest<InventoryEnv>

/** Starts inventory on a fresh database, or on `existing` (a restart); `overrides` are environment strings. */
export function startInventory(overrides: Record<string, string> = {}, existing?: TestDatabase): Promise<InventoryHarness> {
  return startServiceUnderTest(inventory, overrides, existing)
}

/** Every stock row, in id order, straight from the database. */
export async function stockRows(db: Database): Promise<Array<{ product_id: number; on_hand: number }>> {
  return db.query<{ product_id: number; on_hand: number }>('SELECT product_id, on_hand FROM inventory ORDER BY product_id')
}
