import { Writable } from 'node:stream'

import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { UpstreamClient } from '../clients/upstream-client.js'
import { createServiceApp } from '../http/create-service-app.js'
import { TEST_SERVICE_TOKEN, authHeaders, testBaseEnv } from '../testing/test-env.js'
import { type Tracing, addLocalSpanProcessor, startTracing } from './start-tracing.js'

/**
 * Spans this process records, as they end, exported or not: what the BFF's slow-page buffer sees.
 * (The SDK's own processors hand on sampled spans only.)
 */
const recorded: ReadableSpan[] = []
const exporter = {
  getFinishedSpans: (): readonly ReadableSpan[] => recorded,
  reset: (): void => { recorded.length = 0 },
}
const keepAll: SpanProcessor = {
  onStart: () => {},
  onEnd: (span) => { recorded.push(span) },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
}
let tracing: Tracing
let removeProcessor: () => void

beforeAll(() => {
  tracing = startTracing('kit-test', {})
  removeProcessor = addLocalSpanProcessor(keepAll)
})

afterAll(async () => {
  removeProcessor()
  await tracing.shutdown()
})

const apps: FastifyInstance[] = []
const clients: UpstreamClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(apps.splice(0).map((app) => app.close()))
  exporter.reset()
})

/** An app at info level whose log lines are kept, parsed. */
function appWithLog(service: string, options: { requireServiceToken?: boolean } = {}): { app: FastifyInstance; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  const app = createServiceApp({ service, env: testBaseEnv(8999), logger: { level: 'info', stream }, processMetrics: false, ...options })
  apps.push(app)
  return { app, lines }
}

/** A downstream on loopback answering `GET /stock` with the status each call takes from `statuses` (200 once they run out). */
async function stockService(statuses: number[] = []): Promise<{ url: string; traceparents: string[] }> {
  const { app } = appWithLog('stock')
  const traceparents: string[] = []
  app.get('/stock', async (request, reply) => {
    traceparents.push(String(request.headers.traceparent))
    return reply.code(statuses.shift() ?? 200).send({ inventory: 3 })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, traceparents }
}

/** A front service whose `GET /page` calls the stock service once through an `UpstreamClient`. */
async function pageService(stockUrl: string, tuning: Partial<ConstructorParameters<typeof UpstreamClient>[0]> = {}): Promise<FastifyInstance> {
  const stock = new UpstreamClient({ name: 'stock', url: stockUrl, token: TEST_SERVICE_TOKEN, retry: { intervalMs: 1, maxIntervalMs: 1 }, ...tuning })
  clients.push(stock)
  const { app } = appWithLog('front', { requireServiceToken: false })
  app.get('/page', async (request) => {
    try {
      return await stock.getJson('/stock', { deadline: request.deadline, requestId: request.id, signal: request.abortSignal, route: '/stock', parse: (value) => value })
    } catch {
      return { inventory: null }
    }
  })
  await app.ready()
  return app
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER_SPAN = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`

function spansOf(kind: SpanKind, name?: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.kind === kind && (name === undefined || span.name === name))
}

describe('tracing in a service', () => {
  it('continues the caller\'s trace in a server span named after the route, and puts its trace id in every log line', async () => {
    const { app, lines } = appWithLog('demo')
    app.get('/things/:id', () => ({ ok: true }))
    const response = await app.inject({ url: '/things/7?verbose=1', headers: { ...authHeaders, traceparent: TRACEPARENT, 'x-request-id': 'req-1' } })
    expect(response.statusCode).toBe(400)
    const ok = await app.inject({ url: '/things/7', headers: { ...authHeaders, traceparent: TRACEPARENT, 'x-request-id': 'req-2' } })
    expect(ok.statusCode).toBe(200)
    const [refused, served] = spansOf(SpanKind.SERVER)
    expect(served!.name).toBe('GET /things/:id')
    expect(served!.spanContext().traceId).toBe(TRACE_ID)
    expect(served!.parentSpanContext).toMatchObject({ spanId: CALLER_SPAN, isRemote: true })
    expect(served!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/things/:id', 'url.path': '/things/7', 'http.response.status_code': 200, 'storefront.request_id': 'req-2' })
    expect(refused!.attributes['http.response.status_code']).toBe(400)
    const requestLines = lines.filter((line) => line.reqId === 'req-1' || line.reqId === 'req-2')
    expect(requestLines.length).toBeGreaterThanOrEqual(4)
    for (const line of requestLines) {
      expect(line.trace_id).toBe(TRACE_ID)
    }
  })

  it('starts a trace of its own without a traceparent, and marks a 5xx answer as an error', async () => {
    const { app, lines } = appWithLog('demo')
    app.get('/broken', () => {
      throw new Error('boom')
    })
    const response = await app.inject({ url: '/broken', headers: authHeaders })
    expect(response.statusCode).toBe(500)
    const [span] = spansOf(SpanKind.SERVER)
    expect(span!.parentSpanContext).toBeUndefined()
    expect(span!.status.code).toBe(SpanStatusCode.ERROR)
    expect(lines.find((line) => line.msg === 'request completed')?.trace_id).toBe(span!.spanContext().traceId)
  })

  it('records a trace only while the processor\'s gate says so at its first span, and then records it whole', async () => {
    removeProcessor()
    let open = false
    const stopGated = addLocalSpanProcessor(keepAll, () => open)
    try {
      const stock = await stockService()
      const { app } = appWithLog('front', { requireServiceToken: false })
      const client = new UpstreamClient({ name: 'stock', url: stock.url, token: TEST_SERVICE_TOKEN })
      clients.push(client)
      app.get('/page', async (request) => {
        // The gate closes while the page runs: its call is still recorded, under the page.
        open = false
        return client.getJson('/stock', { deadline: request.deadline, signal: request.abortSignal, route: '/stock', parse: (value) => value })
      })
      expect((await app.inject({ url: '/page', headers: { traceparent: TRACEPARENT } })).statusCode).toBe(200)
      expect(exporter.getFinishedSpans()).toEqual([])
      // Unrecorded, the page still passes its trace on, under a span id of its own.
      expect(stock.traceparents[0]).toMatch(new RegExp(`^00-${TRACE_ID}-(?!${CALLER_SPAN})[0-9a-f]{16}-00$`))
      open = true
      expect((await app.inject({ url: '/page', headers: { traceparent: TRACEPARENT } })).statusCode).toBe(200)
      expect(exporter.getFinishedSpans().map((span) => [span.name, span.spanContext().traceId])).toEqual([
        ['stock GET /stock', TRACE_ID],
        ['GET /page', TRACE_ID],
      ])
      expect(stock.traceparents).toHaveLength(2)
    } finally {
      stopGated()
      removeProcessor = addLocalSpanProcessor(keepAll)
    }
  })

  it('gives health checks and scrapes a trace id but records no span of them', async () => {
    const { app, lines } = appWithLog('demo')
    const response = await app.inject({ url: '/health/live', headers: { traceparent: TRACEPARENT } })
    expect(response.statusCode).toBe(200)
    expect(exporter.getFinishedSpans()).toEqual([])
    expect(lines.every((line) => line.reqId === undefined || line.trace_id === TRACE_ID)).toBe(true)
  })

  it('makes each downstream attempt a client span under the request\'s, passed on in traceparent to the downstream\'s server span', async () => {
    const stock = await stockService()
    const app = await pageService(stock.url)
    const response = await app.inject({ url: '/page', headers: { traceparent: TRACEPARENT } })
    expect(response.json()).toEqual({ inventory: 3 })
    const page = spansOf(SpanKind.SERVER, 'GET /page')[0]!
    const [attempt] = spansOf(SpanKind.CLIENT)
    expect(attempt!.name).toBe('stock GET /stock')
    expect(attempt!.parentSpanContext?.spanId).toBe(page.spanContext().spanId)
    expect(attempt!.attributes).toMatchObject({ 'storefront.downstream': 'stock', 'storefront.attempt': 1, 'storefront.won': true, 'http.response.status_code': 200 })
    const served = spansOf(SpanKind.SERVER, 'GET /stock')[0]!
    expect(served.parentSpanContext?.spanId).toBe(attempt!.spanContext().spanId)
    expect(stock.traceparents).toEqual([`00-${TRACE_ID}-${attempt!.spanContext().spanId}-00`])
  })

  it('says which copy of a hedged call an attempt belongs to', async () => {
    const stock = await stockService()
    const client = new UpstreamClient({ name: 'stock', url: stock.url, token: TEST_SERVICE_TOKEN })
    clients.push(client)
    const { app } = appWithLog('front', { requireServiceToken: false })
    app.get('/hedged', async (request) => client.getJson('/stock', { deadline: request.deadline, signal: request.abortSignal, route: '/stock', hedgeCopy: 2, parse: (value) => value }))
    expect((await app.inject({ url: '/hedged' })).statusCode).toBe(200)
    expect(spansOf(SpanKind.CLIENT)[0]!.attributes).toMatchObject({ 'storefront.attempt': 1, 'storefront.hedge_copy': 2, 'storefront.won': true })
  })

  it('makes a retry an attempt span of its own, and tells the request\'s span of the retry', async () => {
    const stock = await stockService([503, 500])
    const app = await pageService(stock.url)
    const response = await app.inject({ url: '/page' })
    expect(response.json()).toEqual({ inventory: 3 })
    const page = spansOf(SpanKind.SERVER, 'GET /page')[0]!
    const attempts = spansOf(SpanKind.CLIENT)
    expect(attempts.map((span) => [span.attributes['storefront.attempt'], span.attributes['http.response.status_code'], span.attributes['storefront.won'], span.status.code]))
      .toEqual([[1, 503, false, SpanStatusCode.ERROR], [2, 500, false, SpanStatusCode.ERROR], [3, 200, true, SpanStatusCode.UNSET]])
    expect(new Set(attempts.map((span) => span.parentSpanContext?.spanId))).toEqual(new Set([page.spanContext().spanId]))
    expect(page.events.filter((event) => event.name === 'retry').map((event) => event.attributes?.['storefront.attempt'])).toEqual([1, 2])
    expect(stock.traceparents).toHaveLength(3)
  })

  it('tells the request\'s span when the breaker refuses a call, and makes no attempt span for it', async () => {
    const stock = await stockService([500])
    const app = await pageService(stock.url, { retry: { maxAttempts: 1 }, breaker: { maxFailures: 1 } })
    await app.inject({ url: '/page' })
    exporter.reset()
    const refused = await app.inject({ url: '/page' })
    expect(refused.json()).toEqual({ inventory: null })
    expect(spansOf(SpanKind.CLIENT)).toEqual([])
    const page = spansOf(SpanKind.SERVER, 'GET /page')[0]!
    expect(page.events.map((event) => [event.name, event.attributes?.['storefront.policy']])).toContainEqual(['rejection', 'breaker'])
  })
})
