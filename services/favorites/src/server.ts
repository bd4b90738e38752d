import { runService } from '@storefront/service-kit'

import { buildApp } from './app.js'
import { readFavoritesEnv } from './config.js'
import { openFavoritesDatabase } from './database.js'

await runService({
  service: 'favorites',
  readEnv: () => readFavoritesEnv(),
  build: async (env) => {
    const db = await openFavoritesDatabase(env)
    return { app: buildApp(env, { db }), close: () => db.close() }
  },
})
