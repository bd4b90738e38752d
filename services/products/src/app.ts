import { type Database, ReadThroughCache, createServiceApp } from '@storefront/service-kit'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

import type { ProductsEnv } from './config.js'
import { ProductRepository } from './data-access/product-repository.js'
import { productRoutes } from './routes/products/index.js'

/** What the app is built from. */
export interface ProductsDeps {
  readonly db: Database
  readonly logger?: FastifyServerOptions['logger']
}

/** The products service, ready to listen or to `inject` into. Never listens itself. */
export function buildApp(env: ProductsEnv, deps: ProductsDeps): FastifyInstance {
  const app = createServiceApp({
    service: 'products',
    env,
    logger: deps.logger,
    db: deps.db,
  })
  const cache = new ReadThroughCache<string | undefined>({ ttlMs: env.CATALOGUE_CACHE_MS, maxEntries: 10_000, loadTimeoutMs: env.REQUEST_TIMEOUT_MS })
  void app.register(productRoutes, { products: new ProductRepository(deps.db), cache })
  return app
}
