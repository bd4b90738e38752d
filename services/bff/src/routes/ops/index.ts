import type { FastifyInstance } from 'fastify'

import { DOWNSTREAMS, type DownstreamClients } from '../../clients/downstream-clients.js'

/**
 * `GET /ops/breakers`: each downstream's breaker state and recent counts, and its retry budget,
 * so an operator can see at once which dependency the BFF is refusing to call.
 */
export function opsRoutes(app: FastifyInstance, clients: DownstreamClients): void {
  app.get('/ops/breakers', { config: { public: true } }, () => {
    const breakers: Record<string, unknown> = {}
    for (const name of DOWNSTREAMS) {
      const client = clients[name]
      breakers[name] = { state: client.breaker.state, stats: client.breaker.stats, retry_budget: client.retryBudgetStats }
    }
    return { breakers }
  })
}
