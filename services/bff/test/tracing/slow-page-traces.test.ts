import { type Attributes, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api'
import { AlwaysOnSampler, TracerProvider, createAlwaysRecordSampler } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'

import { type SlowPageTracesOptions, SlowPageTraces } from '../../src/tracing/slow-page-traces.js'

/** A wall-clock instant the spans are timed from, in ms since the epoch. */
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0)

/** A processor in a real tracer provider, with a clock the test moves. */
function setup(options: SlowPageTracesOptions = {}) {
  const clock = { now: 1_000_000 }
  const traces = new SlowPageTraces({ now: () => clock.now, ...options })
  const provider = new TracerProvider({ sampler: createAlwaysRecordSampler(new AlwaysOnSampler()), spanProcessors: [traces] })
  const tracer = provider.getTracer('t')
  return { traces, tracer, clock }
}

/** Starts a page's server span at `atMs` after T0. */
function startPage(tracer: Tracer, atMs: number, attributes: Attributes = {}, name = 'GET /products/all'): Span {
  return tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: T0 + atMs, attributes: { 'http.route': name.split(' ')[1], ...attributes } }, ROOT_CONTEXT)
}

/** Starts a span under `parent` at `atMs` after T0. */
function startChild(tracer: Tracer, parent: Span, name: string, atMs: number, kind = SpanKind.CLIENT, attributes: Attributes = {}): Span {
  return tracer.startSpan(name, { kind, startTime: T0 + atMs, attributes }, trace.setSpan(ROOT_CONTEXT, parent))
}

/** A whole page of `durationMs` with one products call inside, ended. */
function page(tracer: Tracer, atMs: number, durationMs: number, attributes: Attributes = {}): Span {
  const root = startPage(tracer, atMs, attributes)
  startChild(tracer, root, 'products GET /products', atMs + 1).end(T0 + atMs + durationMs - 1)
  root.end(T0 + atMs + durationMs)
  return root
}

describe('SlowPageTraces', () => {
  it('keeps the slowest pages of the window and drops faster ones once that many are kept', () => {
    const { traces, tracer } = setup({ slowest: 3 })
    for (const [index, duration] of [10, 40, 20, 30, 5, 15, 50].entries()) {
      page(tracer, index * 100, duration)
    }
    const kept = traces.list()
    expect(kept.map((page) => page.duration_ms).sort((a, b) => a - b)).toEqual([30, 40, 50])
    expect(kept.every((page) => page.kept_because === 'slow')).toBe(true)
    expect(traces.counts).toEqual({ pendingTraces: 0, keptTraces: 3, droppedTraces: 0, droppedSpans: 0 })
  })

  it('keeps a degraded page however fast it was, with the parts that did not arrive', () => {
    const { traces, tracer } = setup({ slowest: 1 })
    page(tracer, 0, 500)
    page(tracer, 100, 3, { 'storefront.degraded': ['inventory', 'cart'], 'http.response.status_code': 200 })
    page(tracer, 200, 4, { 'storefront.degraded': [] })
    expect(traces.list().map((page) => [page.duration_ms, page.kept_because, page.degraded])).toEqual([
      [3, 'degraded', ['inventory', 'cart']],
      [500, 'slow', []],
    ])
  })

  it('keeps a page answered with 500 or more as failed, even when it is also degraded, and not one answered 4xx', () => {
    const { traces, tracer } = setup({ slowest: 1 })
    page(tracer, 0, 500)
    page(tracer, 100, 2, { 'http.response.status_code': 503, 'storefront.degraded': ['products'] })
    page(tracer, 200, 2, { 'http.response.status_code': 404 })
    expect(traces.list().map((page) => [page.status, page.kept_because])).toEqual([[503, 'failed'], [null, 'slow']])
  })

  it('keeps no page the BFF shed under load: each is one span and a 503, and they come by thousands', () => {
    const { traces, tracer } = setup({ slowest: 5 })
    const failed = startPage(tracer, 0, { 'http.response.status_code': 503 })
    failed.end(T0 + 40)
    for (let index = 1; index <= 100; index++) {
      const shed = startPage(tracer, index, { 'http.response.status_code': 503 })
      shed.addEvent('shed', { 'storefront.policy': 'limiter' })
      shed.end(T0 + index + 1)
    }
    expect(traces.list().map((page) => [page.duration_ms, page.kept_because])).toEqual([[40, 'failed']])
  })

  it('keeps the newest degraded or failed pages, the oldest leaving when there are more', () => {
    const { traces, tracer } = setup({ slowest: 1, troubled: 2 })
    for (const at of [0, 100, 200, 300]) {
      page(tracer, at, 1, { 'http.response.status_code': 504 })
    }
    expect(traces.list().map((page) => page.started_at)).toEqual([new Date(T0 + 300).toISOString(), new Date(T0 + 200).toISOString()])
  })

  it('lets pages go once they are older than the window, so a faster page can be among the slowest again', () => {
    const { traces, tracer, clock } = setup({ slowest: 1, windowMs: 60_000 })
    page(tracer, 0, 900)
    page(tracer, 100, 2, { 'storefront.degraded': ['cart'] })
    clock.now += 59_999
    page(tracer, 200, 100)
    expect(traces.list().map((page) => page.duration_ms)).toEqual([2, 900])
    clock.now += 1
    expect(traces.list()).toEqual([])
    page(tracer, 300, 100)
    expect(traces.list().map((page) => page.duration_ms)).toEqual([100])
  })

  it('lists a page with every span timed from its start, linked to its parent, with events, errors and attributes as they are', () => {
    const { traces, tracer } = setup()
    const root = startPage(tracer, 0, { 'http.request.method': 'GET', 'storefront.request_id': 'req-1', 'http.response.status_code': 200, 'storefront.degraded': ['inventory'] })
    const products = startChild(tracer, root, 'products GET /products', 0.5, SpanKind.CLIENT, { 'storefront.downstream': 'products', 'storefront.attempt': 1, 'storefront.db_ms': 3.1 })
    products.end(T0 + 12.25)
    const stock = startChild(tracer, root, 'fetch stock', 12.5, SpanKind.INTERNAL)
    const first = startChild(tracer, stock, 'inventory GET /inventory', 13, SpanKind.CLIENT, { 'storefront.attempt': 1, 'storefront.won': false })
    first.addEvent('hedge', { 'storefront.downstream': 'inventory' }, T0 + 63)
    const second = startChild(tracer, stock, 'inventory GET /inventory', 63, SpanKind.CLIENT, { 'storefront.attempt': 2, 'storefront.won': true })
    second.end(T0 + 80)
    first.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted' })
    first.end(T0 + 81)
    stock.end(T0 + 81)
    root.end(T0 + 90)

    const [listed] = traces.list()
    const ids = (span: Span) => span.spanContext().spanId
    expect(listed).toEqual({
      trace_id: root.spanContext().traceId,
      request_id: 'req-1',
      name: 'GET /products/all',
      started_at: new Date(T0).toISOString(),
      duration_ms: 90,
      status: 200,
      kept_because: 'degraded',
      degraded: ['inventory'],
      dropped_spans: 0,
      spans: [
        { span_id: ids(root), parent_span_id: null, name: 'GET /products/all', kind: 'server', start_ms: 0, duration_ms: 90, status: 'ok', error: null, attributes: { 'http.route': '/products/all', 'http.request.method': 'GET', 'storefront.request_id': 'req-1', 'http.response.status_code': 200, 'storefront.degraded': ['inventory'] }, events: [] },
        { span_id: ids(products), parent_span_id: ids(root), name: 'products GET /products', kind: 'client', start_ms: 0.5, duration_ms: 11.75, status: 'ok', error: null, attributes: { 'storefront.downstream': 'products', 'storefront.attempt': 1, 'storefront.db_ms': 3.1 }, events: [] },
        { span_id: ids(stock), parent_span_id: ids(root), name: 'fetch stock', kind: 'internal', start_ms: 12.5, duration_ms: 68.5, status: 'ok', error: null, attributes: {}, events: [] },
        { span_id: ids(first), parent_span_id: ids(stock), name: 'inventory GET /inventory', kind: 'client', start_ms: 13, duration_ms: 68, status: 'error', error: 'aborted', attributes: { 'storefront.attempt': 1, 'storefront.won': false }, events: [{ name: 'hedge', at_ms: 63, attributes: { 'storefront.downstream': 'inventory' } }] },
        { span_id: ids(second), parent_span_id: ids(stock), name: 'inventory GET /inventory', kind: 'client', start_ms: 63, duration_ms: 17, status: 'ok', error: null, attributes: { 'storefront.attempt': 2, 'storefront.won': true }, events: [] },
      ],
    })
    // The same JSON-ready object, as the route sends it.
    expect(JSON.parse(JSON.stringify(listed))).toEqual(listed)
  })

  it('draws a span whose parent is not in the trace at the top level', () => {
    const { traces, tracer } = setup()
    const root = startPage(tracer, 0, { 'storefront.degraded': ['cart'] })
    // Its parent is still open when the page ends, so it never reaches the processor.
    const unfinished = startChild(tracer, root, 'cart', 1, SpanKind.INTERNAL)
    const orphan = startChild(tracer, unfinished, 'cart GET /users/1/cart', 2)
    orphan.end(T0 + 5)
    root.end(T0 + 10)
    expect(traces.list()[0]!.spans.map((span) => [span.name, span.parent_span_id])).toEqual([['GET /products/all', null], ['cart GET /users/1/cart', null]])
  })

  it('takes a server span with a remote parent for the page\'s root, and gives it no parent', () => {
    const { traces, tracer } = setup()
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true })
    const root = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, startTime: T0, attributes: { 'http.response.status_code': 502 } }, remote)
    startChild(tracer, root, 'cart GET /users/1/cart', 1).end(T0 + 4)
    root.end(T0 + 5)
    const [listed] = traces.list()
    expect(listed).toMatchObject({ trace_id: '0af7651916cd43dd8448eb211c80319c', kept_because: 'failed', request_id: null })
    expect(listed!.spans.map((span) => span.parent_span_id)).toEqual([null, root.spanContext().spanId])
  })

  it('adds a span that ends after its page to the page when it was kept, and holds nothing for one that was let go', () => {
    const { traces, tracer } = setup({ slowest: 1 })
    page(tracer, 0, 500)
    const kept = startPage(tracer, 1000, { 'storefront.degraded': ['inventory'] })
    const loser = startChild(tracer, kept, 'inventory GET /inventory', 1001)
    kept.end(T0 + 1010)
    loser.end(T0 + 1020)
    const dropped = startPage(tracer, 2000)
    const straggler = startChild(tracer, dropped, 'inventory GET /inventory', 2001)
    dropped.end(T0 + 2002)
    straggler.end(T0 + 2900)
    expect(traces.list()[0]!.spans.map((span) => span.name)).toEqual(['GET /products/all', 'inventory GET /inventory'])
    expect(traces.counts).toMatchObject({ pendingTraces: 0, keptTraces: 2 })
  })

  it('keeps at most maxSpansPerTrace spans of a trace, the root included, and counts the rest', () => {
    const { traces, tracer } = setup({ maxSpansPerTrace: 4 })
    const root = startPage(tracer, 0)
    for (let index = 0; index < 5; index++) {
      startChild(tracer, root, `inventory chunk ${index}`, index).end(T0 + index + 1)
    }
    root.end(T0 + 10)
    const [listed] = traces.list()
    expect(listed!.spans.map((span) => span.name)).toEqual(['GET /products/all', 'inventory chunk 0', 'inventory chunk 1', 'inventory chunk 2'])
    expect(listed!.dropped_spans).toBe(2)
    expect(traces.counts.droppedSpans).toBe(2)
  })

  it('waits for at most maxPendingTraces pages at once, and drops the spans of more without keeping half a page', () => {
    const { traces, tracer } = setup({ maxPendingTraces: 2 })
    const roots = [0, 1, 2].map((index) => startPage(tracer, index, { 'storefront.degraded': ['cart'] }))
    for (const [index, root] of roots.entries()) {
      startChild(tracer, root, 'cart GET /users/1/cart', index).end(T0 + index + 1)
    }
    expect(traces.counts).toMatchObject({ pendingTraces: 2, droppedTraces: 1 })
    for (const [index, root] of roots.entries()) {
      root.end(T0 + index + 5)
    }
    expect(traces.list().map((page) => page.trace_id)).toEqual([roots[1]!, roots[0]!].map((root) => root.spanContext().traceId))
    expect(traces.counts).toEqual({ pendingTraces: 0, keptTraces: 2, droppedTraces: 1, droppedSpans: 0 })
  })

  it('drops the spans of a page whose root has not ended after pendingTimeoutMs, when another page arrives', () => {
    const { traces, tracer, clock } = setup({ pendingTimeoutMs: 60_000 })
    const hung = startPage(tracer, 0)
    startChild(tracer, hung, 'products GET /products', 1).end(T0 + 2)
    clock.now += 59_999
    page(tracer, 100, 5)
    expect(traces.counts).toMatchObject({ pendingTraces: 1, droppedTraces: 0 })
    clock.now += 1
    const next = startPage(tracer, 200)
    startChild(tracer, next, 'products GET /products', 201).end(T0 + 202)
    expect(traces.counts).toMatchObject({ pendingTraces: 1, droppedTraces: 1 })
    // Its root ending at last does not bring back half a page.
    hung.end(T0 + 70_000)
    expect(traces.list().map((page) => page.trace_id)).not.toContain(hung.spanContext().traceId)
    expect(traces.list()).toHaveLength(1)
  })

  it('lists no operator route, probe, dashboard or static file, and no trace without a server root, and holds none of their spans', () => {
    const { traces, tracer } = setup()
    for (const name of ['GET /ops/stats', 'GET /ops/traces', 'GET /ops', 'GET /metrics', 'GET /health/ready', 'GET /assets/:file', 'GET /docs/json']) {
      startPage(tracer, 0, {}, name).end(T0 + 900)
    }
    // Without http.route (no route matched), the path asked for decides.
    tracer.startSpan('GET', { kind: SpanKind.SERVER, startTime: T0, attributes: { 'url.path': '/ops/nothing-here' } }, ROOT_CONTEXT).end(T0 + 900)
    const job = tracer.startSpan('refresh', { kind: SpanKind.INTERNAL, startTime: T0 }, ROOT_CONTEXT)
    startChild(tracer, job, 'products GET /products', 1).end(T0 + 2)
    job.end(T0 + 3)
    expect(traces.list()).toEqual([])
    expect(traces.counts).toEqual({ pendingTraces: 0, keptTraces: 0, droppedTraces: 0, droppedSpans: 0 })
  })

  it('builds a page\'s JSON once, and again only after a late span joined it', () => {
    const { traces, tracer } = setup()
    const root = startPage(tracer, 0)
    const late = startChild(tracer, root, 'inventory GET /inventory', 1)
    root.end(T0 + 5)
    const first = traces.list()[0]
    expect(traces.list()[0]).toBe(first)
    late.end(T0 + 8)
    const second = traces.list()[0]
    expect(second).not.toBe(first)
    expect(second!.spans).toHaveLength(2)
  })
})
