import { type Database, createServiceApp } from '@storefront/service-kit'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

import type { CartEnv } from './config.js'
import { CartRepository } from './data-access/cart-repository.js'
import { IdempotencyRepository } from './data-access/idempotency-repository.js'
import { schedulePurgeOfExpiredKeys } from './domain/purge-expired-keys.js'
import { cartRoutes } from './routes/cart/index.js'

/** What the app is built from. */
export interface CartDeps {
  readonly db: Database
  readonly logger?: FastifyServerOptions['logger']
}

/** The cart service, ready to listen or to `inject` into. Never listens itself. */
export function buildApp(env: CartEnv, deps: CartDeps): FastifyInstance {
  const app = createServiceApp({
    service: 'cart',
    env,
    logger: deps.logger,
    db: deps.db,
  })
  void app.register(cartRoutes, { db: deps.db, cart: new CartRepository(deps.db) })
  schedulePurgeOfExpiredKeys(app, new IdempotencyRepository(deps.db), {
    ttlHours: env.IDEMPOTENCY_TTL_HOURS,
    intervalMs: env.IDEMPOTENCY_PURGE_INTERVAL_MS,
    timeoutMs: env.REQUEST_TIMEOUT_MS,
  })
  return app
}
