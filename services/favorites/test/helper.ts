import type { Database } from '@storefront/service-kit'
import { type ServiceUnderTest, type ServiceUnderTestDefinition, type TestDatabase, startServiceUnderTest } from '@storefront/service-kit/testing'

import { buildApp } from '../src/app.js'
import { type FavoritesEnv, readFavoritesEnv } from '../src/config.js'
import { favoritesDatabase } from '../src/database.js'

/** The favorites service as the kit's test harness starts it. */
const favorites: ServiceUnderTestDefinition<FavoritesEnv> = { name: 'favorites', readEnv: readFavoritesEnv, database: favoritesDatabase, buildApp }

/** A running favorites app on a test database. */
export type FavoritesHarness = ServiceUnderTest<FavoritesEnv>

/** Starts favorites on a fresh database, or on `existing` (a restart); `overrides` are environment strings. */
export function startFavorites(overrides: Record<string, string> = {}, existing?: TestDatabase): Promise<FavoritesHarness> {
  return startServiceUnderTest(favorites, overrides, existing)
}

/** The `[user_id, product_id]` rows in the table, in key order: what a test checks writes against. */
export async function favoriteRows(db: Database, userId?: number): Promise<Array<[number, number]>> {
  const rows = userId === undefined
    ? await db.query<{ user_id: number; product_id: number }>('SELECT user_id, product_id FROM favorites ORDER BY user_id, product_id')
    : await db.query<{ user_id: number; product_id: number }>('SELECT user_id, product_id FROM favorites WHERE user_id = $1 ORDER BY product_id', [userId])
  return rows.map((row) => [row.user_id, row.product_id])
}
