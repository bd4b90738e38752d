import type { IncomingMessage } from 'node:http'

import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags, context, propagation, trace } from '@opentelemetry/api'
import { RandomIdGenerator } from '@opentelemetry/sdk-trace'
import type { FastifyReply, FastifyRequest } from 'fastify'

import { DatabaseTime, withDatabaseTime } from './database-time.js'
import { kitTracer } from './kit-tracer.js'
import { StorefrontAttributes } from './span-names.js'
import { isExporting, isTracing, wantsLocalRecording } from './start-tracing.js'
import { RECORD_LOCALLY, isProbe } from './storefront-sampler.js'

const ids = new RandomIdGenerator()

/** A request's server span and the context its handler runs in. */
interface ServerTrace {
  readonly span: Span
  readonly context: Context
  readonly databaseTime: DatabaseTime
  ended: boolean
}

const kServerTrace = Symbol('storefront.serverTrace')

type Traced = IncomingMessage & { [kServerTrace]?: ServerTrace }

/**
 * Starts the server span of an incoming request, as the child of the caller's `traceparent` (or a
 * new trace), and returns its trace id for the request's log lines (`undefined` while tracing is
 * off). Called when Fastify makes the request's logger, before any hook: every log line of the
 * request carries the id, a shed one's included.
 */
export function startServerSpan(raw: IncomingMessage, requestId: string): string | undefined {
  if (!isTracing()) {
    return undefined
  }
  const parent = propagation.extract(ROOT_CONTEXT, raw.headers)
  const url = raw.url ?? '/'
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  const span = serverSpanUnder(parent, raw.method ?? 'GET', path, requestId)
  const databaseTime = new DatabaseTime()
  ;(raw as Traced)[kServerTrace] = { span, context: withDatabaseTime(trace.setSpan(parent, span), databaseTime), databaseTime, ended: false }
  return span.spanContext().traceId
}

/**
 * The request's span. Most requests of a process that exports nothing are not recorded: their span
 * is then made here, a no-op that carries the caller's trace id (or a new one) and an id of its own
 * on, without the SDK, whose span start is most of what tracing costs such a request. Made the
 * SDK's way otherwise, its sampler deciding as it would for any span (`StorefrontSampler`).
 */
function serverSpanUnder(parent: Context, method: string, path: string, requestId: string): Span {
  const caller = trace.getSpanContext(parent)
  const probe = isProbe(path)
  const exported = !probe && isExporting() && (caller === undefined || (caller.traceFlags & TraceFlags.SAMPLED) !== 0)
  if (!exported && (probe || !wantsLocalRecording())) {
    return trace.wrapSpanContext({
      traceId: caller?.traceId ?? ids.generateTraceId(),
      spanId: ids.generateSpanId(),
      traceFlags: TraceFlags.NONE,
      ...(caller?.traceState === undefined ? {} : { traceState: caller.traceState }),
    })
  }
  return kitTracer().startSpan(method, {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': method, 'url.path': path, [StorefrontAttributes.REQUEST_ID]: requestId },
  }, exported ? parent : parent.setValue(RECORD_LOCALLY, true))
}

/** The server span of `request`, while tracing is on. */
export function serverSpanOf(request: FastifyRequest): Span | undefined {
  return (request.raw as Traced)[kServerTrace]?.span
}

/**
 * A route's last `preHandler`: runs the handler, and so everything it awaits (downstream calls,
 * queries), in the request's trace context. Body parsing runs in the socket's context; the handler
 * is called synchronously from here.
 */
export function runInServerSpan(request: FastifyRequest, _reply: FastifyReply, next: () => void): void {
  const traced = (request.raw as Traced)[kServerTrace]
  if (traced === undefined) {
    next()
    return
  }
  context.with(traced.context, next)
}

/** Reports the request's database time to its caller (`server-timing: db;dur=…`), when it ran queries. */
export function reportDatabaseTime(request: FastifyRequest, reply: FastifyReply): void {
  const header = (request.raw as Traced)[kServerTrace]?.databaseTime.toHeader()
  if (header !== undefined) {
    void reply.header('server-timing', header)
  }
}

/** Ends the request's server span with its route and status. */
export function endServerSpan(request: FastifyRequest, reply: FastifyReply): void {
  const traced = (request.raw as Traced)[kServerTrace]
  if (traced === undefined || traced.ended) {
    return
  }
  traced.ended = true
  const span = traced.span
  if (span.isRecording()) {
    const status = reply.statusCode
    const route = request.routeOptions.url
    if (route !== undefined) {
      span.updateName(`${request.method} ${route}`)
      span.setAttribute('http.route', route)
    }
    span.setAttribute('http.response.status_code', status)
    if (status >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR })
      span.setAttribute('error.type', String(status))
    }
  }
  span.end()
}

/** Ends the server span of a request whose client went away before its answer. */
export function abandonServerSpan(request: FastifyRequest): void {
  const traced = (request.raw as Traced)[kServerTrace]
  if (traced === undefined || traced.ended) {
    return
  }
  traced.ended = true
  traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' })
  traced.span.end()
}
