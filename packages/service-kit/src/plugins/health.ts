import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** Options of {@link healthPlugin}. */
export interface HealthOptions {
  /** Resolves true when the service can serve (database reachable, migrations applied). */
  readonly ready: (signal: AbortSignal) => Promise<boolean>
}

/**
 * `GET /health/live`: 200 while the process runs. `GET /health/ready`: 200 when `ready` says so
 * within a second, else 503. Both need no token, and their request lines are written at `debug`:
 * load balancers and orchestrators call them every few seconds.
 */
export const healthPlugin = fp<HealthOptions>(
  (app: FastifyInstance, options: HealthOptions, done: (error?: Error) => void) => {
    const body = { type: 'object', properties: { status: { type: 'string' } } } as const
    const tags = ['health']
    app.get('/health/live', {
      config: { public: true, requestLogLevel: 'debug', docs: { response: { status: 'ok' } } },
      schema: { summary: 'Whether the process runs', tags, response: { 200: body } },
    }, () => ({ status: 'ok' }))
    app.get('/health/ready', {
      config: { public: true, requestLogLevel: 'debug', docs: { response: { status: 'ready' } } },
      schema: { summary: 'Whether the service can serve; 503 `{ "status": "not ready" }` when it cannot', tags, response: { 200: body, 503: { ...body, description: 'Not ready: `{ "status": "not ready" }`.' } } },
    }, async (request, reply) => {
      const signal = AbortSignal.any([request.abortSignal, AbortSignal.timeout(1000)])
      const ready = await options.ready(signal).catch(() => false)
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' })
    })
    done()
  },
  { name: 'storefront-health' },
)
