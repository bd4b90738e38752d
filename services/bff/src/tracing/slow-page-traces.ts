import { SpanKind } from '@opentelemetry/api'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace'

import { type KeptBecause, type PageTrace, degradedParts, hrMs, statusOf, toPageTrace } from './page-trace.js'
import { RecentIds } from './recent-ids.js'

/** Options of {@link SlowPageTraces}. */
export interface SlowPageTracesOptions {
  /** How long a kept page stays listed, in ms. Defaults to 300 000 (5 minutes). */
  readonly windowMs?: number
  /** How many of the window's slowest pages are kept. Defaults to 25. */
  readonly slowest?: number
  /** How many degraded or failed pages are kept, the newest replacing the oldest. Defaults to 25. */
  readonly troubled?: number
  /** Traces whose page is still in progress, at most; spans of more are dropped. Defaults to 512. */
  readonly maxPendingTraces?: number
  /** Spans kept per trace, the root included; the rest are counted. Defaults to 256. */
  readonly maxSpansPerTrace?: number
  /** How long spans wait for their page's root span to end before they are dropped, in ms. Defaults to 60 000. */
  readonly pendingTimeoutMs?: number
  /** The clock the window and the wait are measured with, in ms. Defaults to `Date.now`. */
  readonly now?: () => number
}

/** What {@link SlowPageTraces} holds and what it let go, since it started. */
export interface SlowPageTracesCounts {
  /** Traces whose root span has not ended yet. */
  readonly pendingTraces: number
  /** Traces listed now. */
  readonly keptTraces: number
  /** Traces dropped unseen: more than `maxPendingTraces` in progress, or a root that never ended. */
  readonly droppedTraces: number
  /** Spans past `maxSpansPerTrace` of their trace. */
  readonly droppedSpans: number
}

/** The spans of a page still in progress. */
interface PendingTrace {
  readonly spans: ReadableSpan[]
  droppedSpans: number
  /** When its first span ended, by the processor's clock. */
  readonly openedAt: number
}

/** A page kept for the list. */
interface KeptTrace {
  readonly root: ReadableSpan
  readonly spans: ReadableSpan[]
  droppedSpans: number
  readonly because: KeptBecause
  readonly durationMs: number
  /** When it was kept, by the processor's clock: it leaves the list `windowMs` later. */
  readonly keptAt: number
  /** Its JSON, built on the first read and again after a late span joined it. */
  json: PageTrace | undefined
}

/** Traces the processor is done with, remembered so that their stragglers are not taken for new pages. */
const FINISHED_REMEMBERED = 4096

/**
 * Routes that are not a shopper's page: the operator surfaces and probes, polled every second, and
 * the dashboard's and API docs' own files. They would crowd shoppers' pages out of the list, and
 * opening the dashboard would list its own loading.
 */
const NOT_PAGES = /^\/(?:ops(?:\/|$)|health\/|metrics$|assets\/|docs(?:\/|$))/

/**
 * True for the span that ends a trace's work in this process: one with no parent, or whose parent
 * is in another process (a remote parent, from a `traceparent` header).
 */
function isLocalRoot(span: ReadableSpan): boolean {
  return span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true
}

/** True for a root span of a page a shopper asked for: a server span of a route not in {@link NOT_PAGES}. */
function isPage(root: ReadableSpan): boolean {
  if (root.kind !== SpanKind.SERVER) {
    return false
  }
  // The route pattern when the span has one; else the path asked for (a request no route matched).
  const route = root.attributes['http.route'] ?? root.attributes['url.path']
  return typeof route !== 'string' || !NOT_PAGES.test(route)
}

/**
 * True for a page the BFF shed before any work (its span has a `shed` event): under an overload
 * they come by thousands a second, each one span and a 503, and would push every page worth
 * looking at out of the failed list.
 */
function wasShed(root: ReadableSpan): boolean {
  return root.events.length > 0 && root.events.some((event) => event.name === 'shed')
}

/**
 * A span processor that keeps, in memory, the traces of the BFF's slowest, degraded and failed
 * pages of the last minutes, so the operations dashboard can draw any of them as a waterfall
 * without a tracing backend.
 *
 * Ended spans wait, grouped by trace, until the trace's local root (its server span) ends. Then
 * the page is kept when it is degraded (`storefront.degraded` not empty), failed (status 500 or
 * more) or among the `slowest` of the window, and its spans are let go otherwise. A span that ends
 * after its page (a hedge's loser, a straggler) joins the page if it was kept.
 *
 * Bounded in every dimension, and cheap where it runs for every span: `onEnd` does a map lookup
 * and a push. Deciding about a page compares its duration with the slowest list's floor; only a
 * page that gets in costs a pass over that list (`slowest` entries). No JSON is built until
 * {@link SlowPageTraces.list} is called.
 *
 * @example
 * const traces = new SlowPageTraces()
 * const provider = new TracerProvider({ spanProcessors: [traces] })
 * // later, for the dashboard:
 * traces.list()
 */
export class SlowPageTraces implements SpanProcessor {
  readonly #windowMs: number
  readonly #slowest: number
  readonly #troubled: number
  readonly #maxPending: number
  readonly #maxSpans: number
  readonly #pendingTimeoutMs: number
  readonly #now: () => number

  /** In the order their first span ended, so the oldest is first to go. */
  readonly #pending = new Map<string, PendingTrace>()
  readonly #finished = new RecentIds(FINISHED_REMEMBERED)
  readonly #kept = new Map<string, KeptTrace>()
  /** The slowest pages of the window, in no order; at most `slowest`. */
  #slow: KeptTrace[] = []
  /** The shortest duration in {@link #slow} once it is full: a page must be slower to get in. */
  #slowFloorMs = -Infinity
  /** Degraded and failed pages, oldest first; at most `troubled`. */
  #troubledList: KeptTrace[] = []
  /** When the first kept page leaves the window, by the processor's clock. */
  #nextExpiry = Infinity
  #droppedTraces = 0
  #droppedSpans = 0

  constructor(options: SlowPageTracesOptions = {}) {
    this.#windowMs = options.windowMs ?? 300_000
    this.#slowest = options.slowest ?? 25
    this.#troubled = options.troubled ?? 25
    this.#maxPending = options.maxPendingTraces ?? 512
    this.#maxSpans = options.maxSpansPerTrace ?? 256
    this.#pendingTimeoutMs = options.pendingTimeoutMs ?? 60_000
    this.#now = options.now ?? Date.now
  }

  /** How long a kept page stays listed, in ms. */
  get windowMs(): number {
    return this.#windowMs
  }

  /** What is held and what was let go. */
  get counts(): SlowPageTracesCounts {
    return { pendingTraces: this.#pending.size, keptTraces: this.#kept.size, droppedTraces: this.#droppedTraces, droppedSpans: this.#droppedSpans }
  }

  /** Does nothing: a span is looked at once it has ended. */
  onStart(): void {
    // Nothing to do before the span ends.
  }

  /** Files an ended span under its trace, or decides about the page when it is the trace's root. */
  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId
    if (isLocalRoot(span)) {
      this.#close(traceId, span)
      return
    }
    const kept = this.#kept.get(traceId)
    if (kept !== undefined) {
      if (this.#add(kept, span)) {
        kept.json = undefined
      }
      return
    }
    const pending = this.#pending.get(traceId) ?? this.#open(traceId)
    if (pending !== undefined) {
      this.#add(pending, span)
    }
  }

  /**
   * The kept pages, newest first, as JSON-ready objects (what `GET /ops/traces` answers). Pages
   * older than the window are let go first.
   */
  list(): PageTrace[] {
    this.#expire(this.#now())
    const kept = [...this.#kept.values()].sort((a, b) => hrMs(b.root.startTime) - hrMs(a.root.startTime))
    return kept.map((trace) => {
      trace.json ??= toPageTrace(trace.root, trace.spans, trace.because, trace.droppedSpans)
      return trace.json
    })
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  /** Lets every span go. */
  shutdown(): Promise<void> {
    this.#pending.clear()
    this.#finished.clear()
    this.#kept.clear()
    this.#slow = []
    this.#troubledList = []
    this.#slowFloorMs = -Infinity
    this.#nextExpiry = Infinity
    return Promise.resolve()
  }

  /** Adds a span to a trace within the per-trace bound; false when it was dropped. */
  #add(trace: { readonly spans: ReadableSpan[]; droppedSpans: number }, span: ReadableSpan): boolean {
    // One place is the root's, which is held apart.
    if (trace.spans.length >= this.#maxSpans - 1) {
      trace.droppedSpans++
      this.#droppedSpans++
      return false
    }
    trace.spans.push(span)
    return true
  }

  /** Starts waiting for a trace's root, or refuses the trace when too many are waiting already. */
  #open(traceId: string): PendingTrace | undefined {
    if (this.#finished.has(traceId)) {
      // A straggler of a page that was let go (or refused): nothing waits for it.
      return undefined
    }
    const now = this.#now()
    this.#abandon(now)
    if (this.#pending.size >= this.#maxPending) {
      this.#droppedTraces++
      this.#finished.add(traceId)
      return undefined
    }
    const pending: PendingTrace = { spans: [], droppedSpans: 0, openedAt: now }
    this.#pending.set(traceId, pending)
    return pending
  }

  /** Lets go of the traces whose root has not ended within `pendingTimeoutMs`: oldest first, so it stops at the first young one. */
  #abandon(now: number): void {
    for (const [traceId, pending] of this.#pending) {
      if (now - pending.openedAt < this.#pendingTimeoutMs) {
        return
      }
      this.#pending.delete(traceId)
      this.#finished.add(traceId)
      this.#droppedTraces++
    }
  }

  /** The trace's root ended: keep the page, or let its spans go. */
  #close(traceId: string, root: ReadableSpan): void {
    const pending = this.#pending.get(traceId)
    this.#pending.delete(traceId)
    if (this.#finished.has(traceId)) {
      // Refused or abandoned earlier: its other spans are gone, so the page would show half.
      return
    }
    this.#finished.add(traceId)
    if (!isPage(root) || wasShed(root)) {
      return
    }
    const status = statusOf(root)
    const because: KeptBecause | undefined = status !== null && status >= 500 ? 'failed' : degradedParts(root).length > 0 ? 'degraded' : undefined
    const durationMs = hrMs(root.duration)
    const now = this.#now()
    this.#expire(now)
    if (because === undefined && durationMs <= this.#slowFloorMs) {
      // The common case, a page neither troubled nor among the slowest: one comparison.
      return
    }
    const kept: KeptTrace = {
      root,
      spans: pending?.spans ?? [],
      droppedSpans: pending?.droppedSpans ?? 0,
      because: because ?? 'slow',
      durationMs,
      keptAt: now,
      json: undefined,
    }
    if (because === undefined) {
      this.#keepSlow(kept)
    } else {
      this.#keepTroubled(kept)
    }
    this.#kept.set(traceId, kept)
    this.#nextExpiry = Math.min(this.#nextExpiry, now + this.#windowMs)
  }

  /** Puts a page among the slowest, in place of the fastest of them when the list is full. */
  #keepSlow(kept: KeptTrace): void {
    if (this.#slow.length >= this.#slowest) {
      let fastest = 0
      for (let index = 1; index < this.#slow.length; index++) {
        if (this.#slow[index]!.durationMs < this.#slow[fastest]!.durationMs) {
          fastest = index
        }
      }
      this.#forget(this.#slow[fastest]!)
      this.#slow[fastest] = kept
    } else {
      this.#slow.push(kept)
    }
    this.#slowFloorMs = this.#slow.length >= this.#slowest ? Math.min(...this.#slow.map((trace) => trace.durationMs)) : -Infinity
  }

  /** Puts a degraded or failed page at the end of its list, the oldest leaving when it is full. */
  #keepTroubled(kept: KeptTrace): void {
    this.#troubledList.push(kept)
    if (this.#troubledList.length > this.#troubled) {
      this.#forget(this.#troubledList.shift()!)
    }
  }

  #forget(trace: KeptTrace): void {
    this.#kept.delete(trace.root.spanContext().traceId)
  }

  /** Lets go of the pages kept more than `windowMs` ago; a pass over at most `slowest + troubled` pages, and only when one is due. */
  #expire(now: number): void {
    if (now < this.#nextExpiry) {
      return
    }
    const alive = (trace: KeptTrace): boolean => {
      if (now - trace.keptAt < this.#windowMs) {
        return true
      }
      this.#forget(trace)
      return false
    }
    this.#slow = this.#slow.filter(alive)
    this.#troubledList = this.#troubledList.filter(alive)
    this.#slowFloorMs = this.#slow.length >= this.#slowest ? Math.min(...this.#slow.map((trace) => trace.durationMs)) : -Infinity
    this.#nextExpiry = Math.min(Infinity, ...[...this.#slow, ...this.#troubledList].map((trace) => trace.keptAt + this.#windowMs))
  }
}
