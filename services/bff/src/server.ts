import { runService } from '@storefront/service-kit'

import { buildApp } from './app.js'
import { readBffEnv } from './config.js'

await runService({
  service: 'bff',
  readEnv: () => readBffEnv(),
  // No database: the BFF only talks to the services below it.
  build: (env) => Promise.resolve({ app: buildApp(env), close: () => Promise.resolve() }),
})
