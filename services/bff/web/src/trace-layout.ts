import type { PageTrace, TraceEvent, TraceSpan } from './api-types.js'

/** One line of the waterfall: a span, how deep it sits, where its bar goes, and what to say about it. */
export interface WaterfallRow {
  readonly span: TraceSpan
  /** 0 for the page itself and spans whose parent is not in the trace. */
  readonly depth: number
  /** Where the bar starts and how wide it is, in % of the waterfall's width. */
  readonly leftPct: number
  readonly widthPct: number
  /** The database time the service reported, in % of the bar's own width; null when it reported none. */
  readonly dbPct: number | null
  /** Short facts after the name: "attempt 2", "won", "db 3.1 ms", "failed: …". */
  readonly notes: readonly string[]
  /** Each event as words with its time, e.g. "rejected by the breaker at 3.0 ms". */
  readonly events: readonly { readonly text: string; readonly atPct: number }[]
}

/** How an event's policy reads in a sentence. */
const POLICIES: Readonly<Record<string, string>> = {
  'breaker': 'the breaker',
  'retry-budget': 'the retry budget',
  'throttle': 'the throttle',
  'limiter': 'the concurrency limit',
}

/** An event as words: what happened, by which policy where it says. */
export function describeEvent(event: TraceEvent): string {
  const policy = event.attributes['storefront.policy']
  const by = typeof policy === 'string' ? ` by ${POLICIES[policy] ?? policy}` : ''
  const state = event.attributes['storefront.state']
  const words = event.name === 'rejection'
    ? `rejected${by}`
    : event.name === 'hedge'
      ? 'hedge sent'
      : event.name === 'timeout'
        ? 'timed out'
        : event.name === 'breaker state' && typeof state === 'string'
          ? `breaker ${state}`
          : event.name
  return `${words} at ${event.at_ms.toFixed(1)} ms`
}

/**
 * The facts a span's attributes and status add to its name. `contested` says whether the call had
 * other attempts beside this one: "won" is worth saying only then (every lone call wins).
 */
export function spanNotes(span: TraceSpan, contested = false): string[] {
  const notes: string[] = []
  const attempt = span.attributes['storefront.attempt']
  // The first attempt is the usual case: only a second or later one is worth saying.
  if (typeof attempt === 'number' && attempt > 1) {
    notes.push(`attempt ${attempt}`)
  }
  const copy = span.attributes['storefront.hedge_copy']
  if (typeof copy === 'number' && copy > 1) {
    notes.push(`hedge copy ${copy}`)
  }
  const won = span.attributes['storefront.won']
  if (won === false || (won === true && contested)) {
    notes.push(won ? 'won' : 'lost')
  }
  const db = span.attributes['storefront.db_ms']
  if (typeof db === 'number') {
    notes.push(`db ${db.toFixed(1)} ms`)
  }
  if (span.status === 'error') {
    notes.push(span.error === null ? 'failed' : `failed: ${span.error}`)
  }
  return notes
}

const clampPct = (value: number): number => Math.min(100, Math.max(0, value))

/**
 * The waterfall of a page: its spans in tree order (each after its parent, siblings by start),
 * with bars scaled to the page's duration, or to the last span's end when one outlived the page.
 */
export function waterfallRows(trace: PageTrace): WaterfallRow[] {
  const ids = new Set(trace.spans.map((span) => span.span_id))
  const children = new Map<string | null, TraceSpan[]>()
  /** Spans by parent and name: the attempts of one call (a retry, a hedge) share both. */
  const attempts = new Map<string, number>()
  const callOf = (span: TraceSpan): string => `${span.parent_span_id ?? ''} ${span.name}`
  for (const span of trace.spans) {
    const parent = span.parent_span_id !== null && ids.has(span.parent_span_id) ? span.parent_span_id : null
    const siblings = children.get(parent) ?? []
    siblings.push(span)
    children.set(parent, siblings)
    attempts.set(callOf(span), (attempts.get(callOf(span)) ?? 0) + 1)
  }
  const scale = Math.max(trace.duration_ms, ...trace.spans.map((span) => span.start_ms + span.duration_ms), 0.001)
  const rows: WaterfallRow[] = []
  const visit = (span: TraceSpan, depth: number): void => {
    const db = span.attributes['storefront.db_ms']
    rows.push({
      span,
      depth,
      leftPct: clampPct((span.start_ms / scale) * 100),
      widthPct: clampPct((span.duration_ms / scale) * 100),
      dbPct: typeof db === 'number' && span.duration_ms > 0 ? clampPct((db / span.duration_ms) * 100) : null,
      notes: spanNotes(span, (attempts.get(callOf(span)) ?? 0) > 1),
      events: span.events.map((event) => ({ text: describeEvent(event), atPct: clampPct((event.at_ms / scale) * 100) })),
    })
    for (const child of [...(children.get(span.span_id) ?? [])].sort((a, b) => a.start_ms - b.start_ms)) {
      visit(child, depth + 1)
    }
  }
  for (const root of [...(children.get(null) ?? [])].sort((a, b) => a.start_ms - b.start_ms)) {
    visit(root, 0)
  }
  return rows
}

/** Why a page was kept, in the table's words. */
export function keptBecause(trace: PageTrace): string {
  return trace.kept_because === 'failed' ? `failed (${trace.status ?? 'no status'})` : trace.kept_because
}
