import { runService } from '@storefront/service-kit'

import { buildApp } from './app.js'
import { readInventoryEnv } from './config.js'
import { openInventoryDatabase } from './database.js'

await runService({
  service: 'inventory',
  readEnv: () => readInventoryEnv(),
  build: async (env) => {
    const db = await openInventoryDatabase(env)
    return { app: buildApp(env, { db }), close: () => db.close() }
  },
})
