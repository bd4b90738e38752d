import { createServiceApp } from '@storefront/service-kit'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

import { type ClientTuning, type DownstreamClients, closeDownstreamClients, createDownstreamClients } from './clients/downstream-clients.js'
import type { BffEnv } from './config.js'
import { opsRoutes } from './routes/ops/index.js'
import { productRoutes } from './routes/products/index.js'

/** What the app is built from besides its environment. */
export interface BffDeps {
  readonly logger?: FastifyServerOptions['logger']
  /** Per-downstream client settings (breaker, retries), e.g. for tests. */
  readonly clients?: Partial<Record<keyof DownstreamClients, ClientTuning>>
}

/** The BFF, ready to listen or to `inject` into. Never listens itself; closing it closes the downstream pools. */
export function buildApp(env: BffEnv, deps: BffDeps = {}): FastifyInstance {
  const app = createServiceApp({
    service: 'bff',
    env,
    // Browsers and apps hold no service token; SERVICE_TOKEN is what the BFF sends downstream.
    requireServiceToken: false,
    logger: deps.logger,
  })
  const clients = createDownstreamClients(env, deps.clients)
  app.addHook('onClose', async () => {
    await closeDownstreamClients(clients)
  })
  productRoutes(app, { env, clients })
  opsRoutes(app, clients)
  return app
}
