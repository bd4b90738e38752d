import { AppError, type RoutePlugin, faultSettingsSchema, kitErrors, parseFaultDelay } from '@storefront/service-kit'
import type { UpstreamClient } from '@storefront/service-kit/clients'
import { Type } from 'typebox'

import type { PageAdmission } from '../../admission/page-admission.js'
import type { PageCaches } from '../../cache/page-caches.js'
import { DOWNSTREAMS, type DownstreamClients } from '../../clients/downstream-clients.js'
import { controlReplicaFaults } from '../../clients/fault-control.js'
import type { BffEnv } from '../../config.js'
import { bffErrors } from '../../errors.js'
import { cacheStats } from '../../metrics/cache-metrics.js'
import type { DownstreamMetrics } from '../../metrics/downstream-metrics.js'
import { OpsFaults, OpsStats } from '../../schemas/ops-figures.js'
import { stringEnum } from '../../schemas/string-enum.js'
import type { SlowPageTraces } from '../../tracing/slow-page-traces.js'
import { opsTracesRoutes } from './traces.js'

/** Seconds the dashboard's headline figures cover. */
const SUMMARY_WINDOW_S = 10

const DownstreamParams = Type.Object({ downstream: stringEnum(DOWNSTREAMS) })

/** Each replica of a downstream as the operations routes show it. */
function replicasOf(client: UpstreamClient): Record<string, unknown>[] {
  return client.replicaStats.map((replica) => ({
    origin: replica.origin,
    state: replica.state,
    pending: replica.pending,
    consecutive_failures: replica.consecutiveFailures,
    ejections: replica.ejections,
    ejected_for_ms: Math.round(replica.ejectedForMs),
  }))
}

/** Where fault control reaches a downstream: every replica (the configured origin until a host name is resolved). */
function originsOf(client: UpstreamClient): string[] {
  const origins = client.replicaStats.map((replica) => replica.origin)
  return origins.length > 0 ? origins : [client.origin]
}

/** What the operations routes need. */
export interface OpsRoutesDeps {
  readonly env: Pick<BffEnv, 'AUTH_MODE' | 'SERVICE_TOKEN'>
  readonly clients: DownstreamClients
  readonly metrics: DownstreamMetrics
  readonly caches: PageCaches
  readonly admission: PageAdmission
  /** The slowest, degraded and failed pages' spans, for `GET /ops/traces`; absent, it lists none. */
  readonly traces?: SlowPageTraces | undefined
}

/**
 * The operations API:
 * - `GET /ops/breakers`: each downstream's breaker state and recent counts, its retry budget, and
 *   its replicas (origin, `healthy`, `ejected` or `probation`, counts), so an operator sees at once
 *   which dependency, or which replica of one, the BFF is refusing to call, its
 *   adaptive concurrency `limit` (`{ limit, inflight }`) and its `throttle`
 *   (`{ requests, accepts, probability }` of refusing the next call);
 * - `GET /ops/stats`: per downstream, breaker state and replicas plus the last 10 s (rate, error rate, p50/p99)
 *   and a point per second of the last minute, from the BFF's own view of its calls, and what the
 *   catalogue and stock caches did (hits, misses, coalesced calls, stale answers, age served);
 * - `GET /ops/faults`, `PUT /ops/faults/{downstream}`: fault injection of the services below (a
 *   change goes to every replica), in demo mode only (the services must run with `FAULT_CONTROL=true`, as `npm start` does);
 * - `GET /ops/traces`: the spans of the slowest, degraded and failed pages of the last minutes (`traces.ts`).
 */
export const opsRoutes: RoutePlugin<OpsRoutesDeps> = async (app, deps) => {
  const { clients, metrics } = deps
  const tags = ['operations']
  // Read by machines every second or so (the dashboard polls the figures), so their request lines
  // are written at debug: at LOG_LEVEL=info the log keeps to the traffic people caused.
  const polled = { requestLogLevel: 'debug' } as const
  // The figures are sent without response schemas (the serializer would drop what the dashboard
  // reads); the document shows their shape and an example.
  const figures = { type: 'object', additionalProperties: true }
  const replica = { origin: 'http://127.0.0.1:8000', state: 'healthy', pending: 0, consecutive_failures: 0, ejections: 0, ejected_for_ms: 0 }
  const breakersExample = {
    breakers: {
      products: {
        state: 'closed',
        stats: { state: 'closed', calls: 3, failures: 0, slowCalls: 0, failureRate: 0, totalSuccesses: 3, totalFailures: 0, totalRejected: 0, probesInFlight: 0, retryAfterMs: 0 },
        retry_budget: { requests: 3, retries: 0, available: 100 },
        replicas: [replica],
        limit: { limit: 256, inflight: 0 },
        throttle: { requests: 3, accepts: 3, probability: 0 },
      },
    },
  }
  app.get('/ops/breakers', { config: { ...polled, docs: { body: { schema: figures }, response: breakersExample } }, schema: { summary: 'Breaker state and counts per downstream', tags } }, () => {
    const breakers: Record<string, unknown> = {}
    for (const name of DOWNSTREAMS) {
      const client = clients[name]
      breakers[name] = {
        state: client.breaker.state,
        stats: client.breaker.stats,
        retry_budget: client.retryBudgetStats,
        replicas: replicasOf(client),
        // null when the client runs without a concurrency limit or throttle.
        limit: client.limit === undefined ? null : { limit: client.limit, inflight: client.inflight },
        throttle: client.throttleStats ?? null,
      }
    }
    return { breakers }
  })

  const statsExample = {
    window_s: 10,
    fault_control: true,
    downstreams: {
      products: {
        state: 'closed',
        replicas: [replica],
        limit: 256,
        inflight: 0,
        throttle_probability: 0,
        rate_per_s: 12.5,
        error_rate: 0,
        p50_ms: 2,
        p99_ms: 9,
        series: [{ t: 1_796_655_600_000, rate_per_s: 12, error_rate: 0, p50_ms: 2, p99_ms: 8 }],
      },
    },
    cache: {
      catalogue: { hits: 40, misses: 2, coalesced: 1, stale_served: 0, age_ms: 350, entries: 1 },
      stock: { hits: 35, misses: 4, coalesced: 0, stale_served: 0, entries: 10 },
    },
    pages: { limit: 100, inflight: 1, shed: 0 },
  }
  app.get('/ops/stats', { config: { ...polled, docs: { headers: ['cache-control'], body: { schema: OpsStats }, response: statsExample } }, schema: { summary: 'Recent calls per downstream and the page caches\' counts, for the dashboard', tags } }, (_request, reply) => {
    const downstreams: Record<string, unknown> = {}
    for (const name of DOWNSTREAMS) {
      const recent = metrics.recentCalls(name)
      const client = clients[name]
      downstreams[name] = {
        state: client.breaker.state,
        replicas: replicasOf(client),
        ...(client.limit === undefined ? {} : { limit: client.limit, inflight: client.inflight }),
        ...(client.throttleStats === undefined ? {} : { throttle_probability: client.throttleStats.probability }),
        ...recent.summary(SUMMARY_WINDOW_S),
        series: recent.series(),
      }
    }
    void reply.header('cache-control', 'no-store')
    return { window_s: SUMMARY_WINDOW_S, fault_control: deps.env.AUTH_MODE === 'demo', downstreams, cache: cacheStats(deps.caches), pages: { limit: deps.admission.limiter.limit, inflight: deps.admission.inflight, shed: deps.admission.shed } }
  })

  const requireDemo = (): void => {
    if (deps.env.AUTH_MODE !== 'demo') {
      throw new AppError(bffErrors.FAULT_CONTROL_DISABLED, 'Fault injection can be changed only in demo mode (AUTH_MODE=demo).')
    }
  }
  const token = deps.env.SERVICE_TOKEN ?? ''

  const faultsExample = { delay_ms: '0-500', error_rate: 0.1 }
  app.get('/ops/faults', {
    config: {
      docs: {
        errors: [bffErrors.FAULT_CONTROL_DISABLED],
        headers: ['cache-control'],
        body: { schema: OpsFaults },
        response: { faults: { products: { delay_ms: null, error_rate: 0 }, inventory: faultsExample, favorites: { unavailable: 'connection refused' }, cart: { delay_ms: null, error_rate: 0 } } },
      },
    },
    schema: { summary: 'Fault injection of each service (demo mode)', tags } }, async (request, reply) => {
    requireDemo()
    const results = await Promise.all(DOWNSTREAMS.map((name) => controlReplicaFaults(originsOf(clients[name]), token)))
    const faults: Record<string, unknown> = {}
    DOWNSTREAMS.forEach((name, index) => {
      const result = results[index]!
      if (!result.ok && result.cause !== undefined) {
        request.log.warn({ downstream: name, err: result.cause }, 'fault control unreachable')
      }
      faults[name] = result.ok ? result.faults : { unavailable: result.reason }
    })
    void reply.header('cache-control', 'no-store')
    return { faults }
  })

  app.put('/ops/faults/:downstream', {
    config: {
      docs: {
        errors: [bffErrors.FAULT_CONTROL_DISABLED, bffErrors.FAULT_CONTROL_FAILED],
        body: { schema: faultSettingsSchema },
        request: { params: { downstream: 'inventory' }, body: faultsExample },
        response: faultsExample,
      },
    },
    schema: { summary: 'Change a service\'s fault injection (demo mode)', tags, params: DownstreamParams, body: faultSettingsSchema },
  }, async (request) => {
    requireDemo()
    // Checked here too, not only by the service: the cap holds whatever runs below.
    parseFaultDelay(request.body.delay_ms)
    const { downstream } = request.params
    const result = await controlReplicaFaults(originsOf(clients[downstream]), token, request.body)
    if (!result.ok) {
      if (result.cause !== undefined) {
        request.log.warn({ downstream, err: result.cause }, 'fault control unreachable')
      }
      throw result.status === 400
        ? new AppError(kitErrors.VALIDATION, `${downstream} refused the settings`)
        : new AppError(bffErrors.FAULT_CONTROL_FAILED, `${downstream}: ${result.reason}`)
    }
    request.log.warn({ downstream, faults: result.faults }, 'fault injection changed')
    return result.faults
  })

  await app.register(opsTracesRoutes, { traces: deps.traces })
}
