import { runService } from '@storefront/service-kit'

import { buildApp } from './app.js'
import { readCartEnv } from './config.js'
import { openCartDatabase } from './database.js'

await runService({
  service: 'cart',
  readEnv: () => readCartEnv(),
  build: async (env) => {
    const db = await openCartDatabase(env)
    return { app: buildApp(env, { db }), close: () => db.close() }
  },
})
