import { type Database, createServiceApp } from '@storefront/service-kit'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

import type { InventoryEnv } from './config.js'
import { InventoryRepository } from './data-access/inventory-repository.js'
import { inventoryRoutes } from './routes/inventory/index.js'

/** What the app is built from. */
export interface InventoryDeps {
  readonly db: Database
  readonly logger?: FastifyServerOptions['logger']
}

/**
 * The inventory service, ready to listen or to `inject` into. Never listens itself.
 *
 * Unlike products, there is no cache: stock changes with every sale, and callers (the BFF) need
 * the current figure.
 */
export function buildApp(env: InventoryEnv, deps: InventoryDeps): FastifyInstance {
  const app = createServiceApp({
    service: 'inventory',
    env,
    logger: deps.logger,
    db: deps.db,
  })
  void app.register(inventoryRoutes, { inventory: new InventoryRepository(deps.db) })
  return app
}
