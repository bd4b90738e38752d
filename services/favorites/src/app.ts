import { type Database, createServiceApp } from '@storefront/service-kit'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

import type { FavoritesEnv } from './config.js'
import { FavoriteRepository } from './data-access/favorite-repository.js'
import { favoriteRoutes } from './routes/favorites/index.js'

/** What the app is built from. */
export interface FavoritesDeps {
  readonly db: Database
  readonly logger?: FastifyServerOptions['logger']
}

/** The favorites service, ready to listen or to `inject` into. Never listens itself. */
export function buildApp(env: FavoritesEnv, deps: FavoritesDeps): FastifyInstance {
  const app = createServiceApp({
    service: 'favorites',
    env,
    logger: deps.logger,
    db: deps.db,
  })
  void app.register(favoriteRoutes, { favorites: new FavoriteRepository(deps.db) })
  return app
}
