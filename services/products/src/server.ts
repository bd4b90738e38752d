import { runService } from '@storefront/service-kit'

import { buildApp } from './app.js'
import { readProductsEnv } from './config.js'
import { openProductsDatabase } from './database.js'

await runService({
  service: 'products',
  readEnv: () => readProductsEnv(),
  build: async (env) => {
    const db = await openProductsDatabase(env)
    return { app: buildApp(env, { db }), close: () => db.close() }
  },
})
