import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

import type { Database } from '../db/database.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** This service's Prometheus registry: add the service's own figures to it. */
    metrics: Registry
  }
}

/** Options of {@link metricsPlugin}. */
export interface MetricsOptions {
  /** The `service` label on every series. */
  readonly service: string
  /** Process metrics (CPU, memory, event loop lag). Off in tests that build many apps. */
  readonly processMetrics?: boolean
  /** A database whose queries in flight and waiting are reported. */
  readonly db?: Database | undefined
}

type Label = 'route' | 'method' | 'status'

/**
 * `GET /metrics` in Prometheus text format: request count and latency histogram by route, method
 * and status, plus whatever the service registers on `app.metrics`. No token needed; a scrape's
 * request lines are written at `debug`.
 */
export const metricsPlugin = fp<MetricsOptions>(
  (app: FastifyInstance, options: MetricsOptions, done: (error?: Error) => void) => {
    const registry = new Registry()
    registry.setDefaultLabels({ service: options.service })
    if (options.processMetrics === true) {
      collectDefaultMetrics({ register: registry })
    }
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    })
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    })
    const db = options.db
    if (db !== undefined) {
      new Gauge({
        name: 'db_queries_active',
        help: 'Database queries in flight.',
        registers: [registry],
        collect() {
          this.set(db.stats.active)
        },
      })
      new Gauge({
        name: 'db_queries_waiting',
        help: 'Database queries waiting for a connection (the embedded engine has one).',
        registers: [registry],
        collect() {
          this.set(db.stats.waiting)
        },
      })
    }
    app.decorate('metrics', registry)
    // prom-client hashes the label values on every call; the labelled children are cached instead,
    // one per route, method and status, so a response costs two map lookups and two additions.
    const series = new Map<string, { count: Counter.Internal; time: Histogram.Internal<Label> }>()
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, next: () => void) => {
      // The route pattern, never the raw URL: ids in label values would explode the series count.
      const route = request.routeOptions.url ?? 'unmatched'
      const key = `${request.method} ${reply.statusCode} ${route}`
      let children = series.get(key)
      if (children === undefined) {
        const labels = [route, request.method, String(reply.statusCode)] as const
        children = { count: requests.labels(...labels), time: duration.labels(...labels) }
        series.set(key, children)
      }
      children.count.inc()
      children.time.observe(reply.elapsedTime / 1000)
      next()
    })
    app.get('/metrics', {
      config: {
        public: true,
        requestLogLevel: 'debug',
        docs: {
          body: { schema: { type: 'string', description: 'Prometheus text exposition format.' }, contentType: registry.contentType },
          response: 'http_requests_total{route="/health/live",method="GET",status="200",service="demo"} 1\n',
        },
      },
      schema: { summary: 'Request counts and latency by route, method and status, in Prometheus text format', tags: ['metrics'] },
    }, async (_request, reply) => {
      return reply.type(registry.contentType).send(await registry.metrics())
    })
    done()
  },
  { name: 'storefront-metrics' },
)
