import { type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'

import { type DatabaseTime, databaseTimeOf } from './database-time.js'
import { kitTracer } from './kit-tracer.js'

/** One query as its request's trace sees it: its span (when recorded) and its share of the database time. */
export class QueryTrace {
  private readonly startedAt = performance.now()

  private constructor(
    private readonly span: Span | undefined,
    private readonly time: DatabaseTime | undefined,
  ) {}

  /**
   * Starts tracing a query of `text` (the statement as written, with `$1` placeholders: values
   * never reach a span) under the active span, or returns `undefined` outside any request. postgres.js has no
   * OpenTelemetry instrumentation, so the database layer makes its spans itself, only under a
   * recorded parent.
   */
  static start(text: string, database: string): QueryTrace | undefined {
    const active = context.active()
    const time = databaseTimeOf(active)
    const parent = trace.getSpan(active)
    if (time === undefined && parent === undefined) {
      return undefined
    }
    const span = parent?.isRecording() === true
      ? kitTracer().startSpan(operationOf(text), {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system.name': 'postgresql', 'db.namespace': database, 'db.query.text': text, 'db.operation.name': operationOf(text) },
      }, active)
      : undefined
    return new QueryTrace(span, time)
  }

  /** Ends it; `error` when the query failed. */
  end(error?: unknown): void {
    this.time?.add(performance.now() - this.startedAt)
    const span = this.span
    if (span === undefined) {
      return
    }
    if (error !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'the query failed' })
      const code = (error as { code?: unknown }).code
      span.setAttribute('error.type', typeof code === 'string' ? code : error instanceof Error ? error.name : typeof error)
    }
    span.end()
  }
}

const FIRST_WORD = /^\s*([A-Za-z]+)/

/** `SELECT`, `INSERT`, … : a span name that groups statements without their text. */
function operationOf(text: string): string {
  return FIRST_WORD.exec(text)?.[1]?.toUpperCase() ?? 'QUERY'
}
