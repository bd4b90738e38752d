import { type ServiceUnderTest, type ServiceUnderTestDefinition, type TestDatabase, startServiceUnderTest } from '@storefront/service-kit/testing'

import { buildApp } from '../src/app.js'
import { type ProductsEnv, readProductsEnv } from '../src/config.js'
import { productsDatabase } from '../src/database.js'

/** The products service as the kit's test harness starts it; the cache is off unless a test sets it. */
const products: ServiceUnderTestDefinition<ProductsEnv> = {
  name: 'products',
  readEnv: readProductsEnv,
  database: productsDatabase,
  buildApp,
  testEnv: { CATALOGUE_CACHE_MS: '0' },
}

/** A running products app on a test database. */
export type ProductsHarness = ServiceUnderTest<ProductsEnv>

/** Starts products on a fresh database, or on `existing` (a restart); `overrides` are environment strings. */
export function startProducts(overrides: Record<string, string> = {}, existing?: TestDatabase): Promise<ProductsHarness> {
  return startServiceUnderTest(products, overrides, existing)
}
