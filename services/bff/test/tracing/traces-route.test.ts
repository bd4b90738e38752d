import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'
import { AlwaysOnSampler, TracerProvider, createAlwaysRecordSampler } from '@opentelemetry/sdk-trace'
import { createServiceApp } from '@storefront/service-kit'
import { TEST_SERVICE_TOKEN } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { readBffEnv } from '../../src/config.js'
import { requireOperatorToken } from '../../src/plugins/operator-access.js'
import { opsTracesRoutes } from '../../src/routes/ops/traces.js'
import { SlowPageTraces } from '../../src/tracing/slow-page-traces.js'
import { bffPerTest } from '../helper.js'

const OPS_TOKEN = 'ops-token-for-tests-0123456789abcdef'

const start = bffPerTest()
const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/**
 * The kit's app with the trace route over `traces`, closed to callers without the operator token
 * as the BFF's is outside demo mode on loopback.
 */
async function traceApp(traces: SlowPageTraces): Promise<FastifyInstance> {
  const env = readBffEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'a-test-secret-of-at-least-32-characters!', OPS_TOKEN })
  const app = createServiceApp({ service: 'bff', env, logger: false, requireServiceToken: false })
  requireOperatorToken(app, env.OPS_TOKEN)
  await app.register(opsTracesRoutes, { traces })
  await app.ready()
  apps.push(app)
  return app
}

/** Records one degraded page of 40 ms with an inventory call of 30 ms that retried once. */
function recordDegradedPage(traces: SlowPageTraces): string {
  const tracer = new TracerProvider({ sampler: createAlwaysRecordSampler(new AlwaysOnSampler()), spanProcessors: [traces] }).getTracer('t')
  const t0 = Date.UTC(2026, 11, 7, 12)
  const root = tracer.startSpan('GET /products/all', { kind: SpanKind.SERVER, startTime: t0, attributes: { 'http.route': '/products/all', 'http.response.status_code': 200, 'storefront.degraded': ['cart'], 'storefront.request_id': 'req-7' } }, ROOT_CONTEXT)
  const inventory = tracer.startSpan('inventory GET /inventory', { kind: SpanKind.CLIENT, startTime: t0 + 5, attributes: { 'storefront.attempt': 2, 'storefront.won': true, 'storefront.db_ms': 3.1 } }, trace.setSpan(ROOT_CONTEXT, root))
  inventory.addEvent('retry', { 'storefront.policy': 'retry-budget' }, t0 + 6)
  inventory.end(t0 + 35)
  root.end(t0 + 40)
  return root.spanContext().traceId
}

describe('GET /ops/traces', () => {
  it('lists the pages the processor kept, as its list gives them, with the window and what was dropped', async () => {
    const traces = new SlowPageTraces({ windowMs: 120_000 })
    const traceId = recordDegradedPage(traces)
    const app = await traceApp(traces)
    const response = await app.inject({ method: 'GET', url: '/ops/traces', headers: { authorization: `Bearer ${OPS_TOKEN}` } })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const body = response.json()
    expect(body).toEqual({ window_s: 120, dropped_traces: 0, dropped_spans: 0, traces: JSON.parse(JSON.stringify(traces.list())) })
    expect(body.traces[0]).toMatchObject({ trace_id: traceId, request_id: 'req-7', kept_because: 'degraded', degraded: ['cart'], duration_ms: 40 })
    // The attributes pass through the response schema as they are.
    expect(body.traces[0].spans[1]).toMatchObject({
      name: 'inventory GET /inventory', start_ms: 5, duration_ms: 30,
      attributes: { 'storefront.attempt': 2, 'storefront.won': true, 'storefront.db_ms': 3.1 },
      events: [{ name: 'retry', at_ms: 6, attributes: { 'storefront.policy': 'retry-budget' } }],
    })
  })

  it('answers 401 without the operator token and 403 with a wrong one, as every route under /ops/ does', async () => {
    const app = await traceApp(new SlowPageTraces())
    const anonymous = await app.inject({ method: 'GET', url: '/ops/traces' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json()).toMatchObject({ code: 'BFF_ERR_OPS_TOKEN_REQUIRED' })
    const wrong = await app.inject({ method: 'GET', url: '/ops/traces', headers: { authorization: 'Bearer not-the-token' } })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json()).toMatchObject({ code: 'BFF_ERR_OPS_TOKEN_WRONG' })
  })

  it('is among the BFF\'s operations routes, open in demo mode on loopback as they are', async () => {
    const bff = await start()
    const response = await bff.app.inject({ method: 'GET', url: '/ops/traces' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ window_s: 300, dropped_traces: 0, dropped_spans: 0, traces: expect.any(Array) })
  })
})
