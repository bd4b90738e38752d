import { type Attributes, type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'

/** Why a page's trace was kept: among the slowest of the window, degraded, or answered with a 5xx. */
export type KeptBecause = 'slow' | 'degraded' | 'failed'

/** The root span attribute that lists the parts of a page that did not arrive. */
const DEGRADED_ATTRIBUTE = 'storefront.degraded'

/** The root span attribute that carries the request id the shopper's answer carried. */
const REQUEST_ID_ATTRIBUTE = 'storefront.request_id'

/** The HTTP status of a server span (OpenTelemetry's semantic conventions). */
const STATUS_CODE_ATTRIBUTE = 'http.response.status_code'

/** An event of a span (a retry, a hedge, a refusal by a breaker), timed from the page's start. */
interface TraceEvent {
  readonly name: string
  /** ms from the root span's start. */
  readonly at_ms: number
  readonly attributes: Attributes
}

/** One span of a page's trace, timed from the page's start. */
interface TraceSpan {
  readonly span_id: string
  /** null for the root, and for a span whose parent is not in the trace: it is drawn at the top level. */
  readonly parent_span_id: string | null
  readonly name: string
  readonly kind: 'server' | 'client' | 'internal' | 'producer' | 'consumer'
  /** ms from the root span's start, to 2 decimals. */
  readonly start_ms: number
  readonly duration_ms: number
  readonly status: 'ok' | 'error'
  /** The status message of a span that failed, or null. */
  readonly error: string | null
  readonly attributes: Attributes
  readonly events: TraceEvent[]
}

/** A kept page, as `GET /ops/traces` lists it: the root's facts, then every span kept, by start. */
export interface PageTrace {
  readonly trace_id: string
  readonly request_id: string | null
  /** The root span's name, e.g. `GET /products/all`. */
  readonly name: string
  /** When the page started, as an ISO 8601 string. */
  readonly started_at: string
  readonly duration_ms: number
  /** The HTTP status the page was answered with, or null when the root span does not say. */
  readonly status: number | null
  readonly kept_because: KeptBecause
  /** The parts of the page that did not arrive. */
  readonly degraded: string[]
  /** Spans of this trace past the per-trace bound, not kept. */
  readonly dropped_spans: number
  readonly spans: TraceSpan[]
}

const KINDS: Readonly<Record<SpanKind, TraceSpan['kind']>> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
}

/** An `HrTime` as ms. */
export function hrMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6
}

/** `to - from` in ms, seconds and nanoseconds taken apart so the difference keeps its precision. */
function elapsedMs(from: HrTime, to: HrTime): number {
  return (to[0] - from[0]) * 1e3 + (to[1] - from[1]) / 1e6
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100
}

/** The parts a root span says were missing: its `storefront.degraded` strings, or none. */
export function degradedParts(root: ReadableSpan): string[] {
  const value = root.attributes[DEGRADED_ATTRIBUTE]
  return Array.isArray(value) ? value.filter((part): part is string => typeof part === 'string') : []
}

/** The HTTP status a root span carries, or null. */
export function statusOf(root: ReadableSpan): number | null {
  const value = root.attributes[STATUS_CODE_ATTRIBUTE]
  return typeof value === 'number' ? value : null
}

/**
 * The JSON of one kept trace. Built only when someone asks (`GET /ops/traces`), never as spans
 * end: the BFF records spans for every page and keeps few of them.
 */
export function toPageTrace(root: ReadableSpan, children: readonly ReadableSpan[], keptBecause: KeptBecause, droppedSpans: number): PageTrace {
  const ids = new Set<string>([root.spanContext().spanId])
  for (const span of children) {
    ids.add(span.spanContext().spanId)
  }
  const start = root.startTime
  const spans = [root, ...children].map((span): TraceSpan => {
    const parent = span === root ? undefined : span.parentSpanContext?.spanId
    return {
      span_id: span.spanContext().spanId,
      parent_span_id: parent !== undefined && ids.has(parent) ? parent : null,
      name: span.name,
      kind: KINDS[span.kind],
      start_ms: round2(elapsedMs(start, span.startTime)),
      duration_ms: round2(hrMs(span.duration)),
      status: span.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
      error: span.status.code === SpanStatusCode.ERROR ? span.status.message ?? null : null,
      attributes: { ...span.attributes },
      events: span.events.map((event) => ({ name: event.name, at_ms: round2(elapsedMs(start, event.time)), attributes: { ...event.attributes } })),
    }
  })
  // Stable: the root, at 0, stays ahead of a child that started in the same instant.
  spans.sort((a, b) => a.start_ms - b.start_ms)
  const requestId = root.attributes[REQUEST_ID_ATTRIBUTE]
  return {
    trace_id: root.spanContext().traceId,
    request_id: typeof requestId === 'string' ? requestId : null,
    name: root.name,
    started_at: new Date(hrMs(start)).toISOString(),
    duration_ms: round2(hrMs(root.duration)),
    status: statusOf(root),
    kept_because: keptBecause,
    degraded: degradedParts(root),
    dropped_spans: droppedSpans,
    spans,
  }
}
