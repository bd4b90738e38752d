import type { RoutePlugin } from '@storefront/service-kit'
import { Type } from 'typebox'

import { stringEnum } from '../../schemas/string-enum.js'
import { SlowPageTraces } from '../../tracing/slow-page-traces.js'

const StringOrNull = Type.Unsafe<string | null>({ type: ['string', 'null'] })

/** Span and event attributes pass as they are: their keys are whatever the instrumentation set. */
const Attributes = Type.Object({}, { additionalProperties: true })

const TraceEvent = Type.Object({
  name: Type.String(),
  at_ms: Type.Number(),
  attributes: Attributes,
})

const TraceSpan = Type.Object({
  span_id: Type.String(),
  parent_span_id: StringOrNull,
  name: Type.String(),
  kind: stringEnum(['server', 'client', 'internal', 'producer', 'consumer']),
  start_ms: Type.Number(),
  duration_ms: Type.Number(),
  status: stringEnum(['ok', 'error']),
  error: StringOrNull,
  attributes: Attributes,
  events: Type.Array(TraceEvent),
})

const PageTrace = Type.Object({
  trace_id: Type.String(),
  request_id: StringOrNull,
  name: Type.String(),
  started_at: Type.String({ format: 'date-time' }),
  duration_ms: Type.Number(),
  status: Type.Unsafe<number | null>({ type: ['integer', 'null'] }),
  kept_because: stringEnum(['slow', 'degraded', 'failed']),
  degraded: Type.Array(Type.String()),
  dropped_spans: Type.Integer(),
  spans: Type.Array(TraceSpan),
})

/** The 200 body of `GET /ops/traces`. */
const TracesAnswer = Type.Object({
  window_s: Type.Number(),
  /** Traces never seen whole: too many pages in progress at once, or a page that never ended. */
  dropped_traces: Type.Integer(),
  /** Spans past the per-trace bound. */
  dropped_spans: Type.Integer(),
  traces: Type.Array(PageTrace),
})

/** What the trace route needs. */
export interface OpsTracesRoutesDeps {
  /** The span processor the BFF's tracer provider feeds; without one the list stays empty. */
  readonly traces?: SlowPageTraces | undefined
}

/**
 * `GET /ops/traces`: the spans of the slowest, degraded and failed pages of the last minutes, newest
 * first, each timed from its page's start (see {@link SlowPageTraces}), for the dashboard's
 * waterfall. It lives under `/ops/`, so the operator token guards it as it does the other
 * operations routes (`plugins/operator-access.ts`).
 */
// An async plugin whether or not it awaits, as every route module is (eslint.config.js exempts index.ts files only).
// eslint-disable-next-line @typescript-eslint/require-await
export const opsTracesRoutes: RoutePlugin<OpsTracesRoutesDeps> = async (app, deps) => {
  // A BFF built without tracing answers as an empty buffer would, so the dashboard needs no special case.
  const traces = deps.traces ?? new SlowPageTraces()
  app.get('/ops/traces', {
    // Polled by the dashboard with the figures: request lines at debug, as theirs are.
    config: {
      requestLogLevel: 'debug',
      docs: {
        headers: ['cache-control'],
        response: {
          window_s: 300,
          dropped_traces: 0,
          dropped_spans: 0,
          traces: [{
            trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
            request_id: '6f1c2a0e-9d5b-4c1e-8a47-2b3f4c5d6e7f',
            name: 'GET /products/all',
            started_at: '2026-12-07T15:00:00.000Z',
            duration_ms: 1004,
            status: 200,
            kept_because: 'degraded',
            degraded: ['inventory'],
            dropped_spans: 0,
            spans: [{
              span_id: '00f067aa0ba902b7',
              parent_span_id: null,
              name: 'GET /products/all',
              kind: 'server',
              start_ms: 0,
              duration_ms: 1004,
              status: 'ok',
              error: null,
              attributes: { 'http.response.status_code': 200 },
              events: [],
            }],
          }],
        },
      },
    },
    schema: { summary: 'The spans of the slowest, degraded and failed pages of the last minutes', tags: ['operations'], response: { 200: TracesAnswer } },
  }, (_request, reply) => {
    const { droppedTraces, droppedSpans } = traces.counts
    void reply.header('cache-control', 'no-store')
    return { window_s: traces.windowMs / 1000, dropped_traces: droppedTraces, dropped_spans: droppedSpans, traces: traces.list() }
  })
}
