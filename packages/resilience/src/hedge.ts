import { type ContextRunner, captureContext } from './internal/async-context.js'
import { now } from './internal/clock.js'
import { type Context, type ContextOperation, ScopeContext, type Unsubscribe, contextFor } from './internal/context.js'
import { type InternalPolicy, invoke, kRun } from './internal/policy.js'
import { type TimerEntry, cancel, schedule } from './internal/timer-queue.js'
import { type ObservablePolicy, type PolicyListener, PolicyEvents } from './policy-events.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link hedge} and {@link hedgePolicy}. */
export interface HedgeOptions {
  /** How long the first copy runs alone before another starts, in milliseconds. */
  readonly delayMs: number
  /** Extra copies allowed, each `delayMs` after the previous one. Defaults to 1. */
  readonly maxHedges?: number
  /** Aborting it aborts every copy and rejects with its reason. */
  readonly signal?: AbortSignal
  /** Hears every copy start and settle, and each hedge: see {@link PolicyEvent}. */
  readonly listener?: PolicyListener
}

/**
 * The reason the losing copies of a hedged call are aborted with. A plain `AbortError`, so a
 * breaker or a log can tell it from a timeout or a failure.
 */
function hedgeLost(): DOMException {
  return new DOMException('Another hedged copy of the call answered first', 'AbortError')
}

/**
 * Tail-latency insurance for idempotent reads: starts `fn`; if it has not settled after `delayMs`,
 * starts another copy (up to `maxHedges`). The first success wins and the other copies are
 * aborted. A copy that fails starts the next copy at once rather than waiting out the delay, as
 * Polly and gRPC hedging do. If every copy fails, rejects with the last error.
 *
 * Each copy gets its own signal and `attempt` (1 for the first).
 *
 * @example
 * const stock = await hedge(({ signal }) => getStock(ids, signal), { delayMs: p95LatencyMs })
 */
export function hedge<T>(fn: Operation<T>, options: HedgeOptions): Promise<T> {
  const events = options.listener === undefined ? undefined : new PolicyEvents(options.listener)
  return runHedge(fn, resolveHedge(options), contextFor(options.signal), events)
}

/** A policy that hedges as {@link hedge} does, for {@link pipeline}. */
export function hedgePolicy(options: Omit<HedgeOptions, 'signal'>): HedgePolicy {
  return new HedgePolicy(options)
}

/** The policy form of {@link hedge}; build it with {@link hedgePolicy}. */
export class HedgePolicy implements InternalPolicy, ObservablePolicy {
  private readonly options: ResolvedHedge
  private readonly events: PolicyEvents

  constructor(options: Omit<HedgeOptions, 'signal'>) {
    this.options = resolveHedge(options)
    this.events = new PolicyEvents(options.listener)
  }

  /** Runs `fn`, hedged. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return runHedge(fn, this.options, contextFor(options?.signal), this.events)
  }

  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    return runHedge(fn, this.options, context, this.events)
  }
}

interface ResolvedHedge {
  readonly delayMs: number
  readonly maxHedges: number
}

function resolveHedge(options: Omit<HedgeOptions, 'signal'>): ResolvedHedge {
  const maxHedges = options.maxHedges ?? 1
  if (!(options.delayMs >= 0)) {
    throw new RangeError(`hedge delayMs must be >= 0, got ${options.delayMs}`)
  }
  if (!Number.isInteger(maxHedges) || maxHedges < 0) {
    throw new RangeError(`hedge maxHedges must be a whole number >= 0, got ${maxHedges}`)
  }
  return { delayMs: options.delayMs, maxHedges }
}

function runHedge<T>(
  fn: ContextOperation<T>,
  options: ResolvedHedge,
  parent: Context,
  events: PolicyEvents | undefined,
): Promise<T> {
  if (parent.aborted) {
    return Promise.reject(parent.reason)
  }
  // Whether anyone listens is decided once per call, so that a call's events come whole.
  // A hedge is started by the shared timer, which fires in the context of whichever call armed it:
  // the copy it starts runs in this call's async context (its trace span, its request's logger),
  // as a `setTimeout` callback would.
  const inContext = options.maxHedges > 0 ? captureContext() : undefined
  const watch = events?.active === true ? new HedgeWatch(events, options.delayMs, inContext) : undefined
  const totalCopies = options.maxHedges + 1
  return new Promise<T>((resolve, reject) => {
    const copies: ScopeContext[] = []
    let failed = 0
    let done = false
    let timer: TimerEntry | undefined
    let unsubscribe: Unsubscribe | undefined

    const finish = (): void => {
      done = true
      if (timer !== undefined) {
        cancel(timer)
      }
      unsubscribe?.()
    }
    const abortAll = (reason: () => unknown, except?: ScopeContext): void => {
      for (let index = 0; index < copies.length; index++) {
        const copy = copies[index]!
        if (copy !== except) {
          copy.abort(reason())
          watch?.end(index, 'cancelled', false)
        }
        copy.dispose()
      }
    }
    const launch = (): void => {
      if (timer !== undefined) {
        cancel(timer)
        timer = undefined
      }
      const index = copies.length
      const context = new ScopeContext(parent, index + 1, parent.deadline)
      copies.push(context)
      if (copies.length < totalCopies) {
        timer = schedule(options.delayMs, watch === undefined ? () => { inContext!(launch) } : () => { watch.hedge(copies.length + 1, launch) })
      }
      watch?.start(index)
      invoke(fn, context).then(
        (value) => {
          if (done) {
            return
          }
          finish()
          watch?.end(index, 'ok', true)
          abortAll(hedgeLost, context)
          resolve(value)
        },
        (error: unknown) => {
          if (done) {
            return
          }
          failed++
          if (copies.length < totalCopies) {
            watch?.end(index, 'failed', false, error)
            launch()
          } else if (failed === copies.length) {
            finish()
            watch?.end(index, 'failed', true, error)
            for (const copy of copies) {
              copy.dispose()
            }
            reject(error)
          } else {
            watch?.end(index, 'failed', false, error)
          }
        },
      )
    }

    if (parent.abortable) {
      unsubscribe = parent.onAbort((reason) => {
        if (done) {
          return
        }
        finish()
        abortAll(() => reason)
        reject(reason)
      })
    }
    launch()
  })
}

/** What one observed hedged call reports: made only while someone listens. */
class HedgeWatch {
  /** When each copy started, by index. */
  private readonly startedAt: number[] = []
  /** Whether each copy's end was reported. */
  private readonly ended: boolean[] = []
  constructor(
    private readonly events: PolicyEvents,
    private readonly delayMs: number,
    /** The call's async context, where a hedge is reported and its copy started. */
    private readonly inContext: ContextRunner | undefined,
  ) {}

  start(index: number): void {
    this.startedAt[index] = now()
    this.ended[index] = false
    this.events.emit({ type: 'attempt', policy: 'hedge', attempt: index + 1 })
  }

  /** The copies so far were slow: reports copy `attempt` and starts it with `launch`. */
  hedge(attempt: number, launch: () => void): void {
    const run = this.inContext ?? ((fn: () => void) => { fn() })
    run(() => {
      this.events.emit({ type: 'hedge', policy: 'hedge', attempt, delayMs: this.delayMs })
      launch()
    })
  }

  /** Reports how copy `index` ended, once. */
  end(index: number, outcome: 'ok' | 'failed' | 'cancelled', won: boolean, error?: unknown): void {
    if (this.ended[index] !== false) {
      return
    }
    this.ended[index] = true
    const attempt = index + 1
    const durationMs = now() - this.startedAt[index]!
    this.events.emit(
      outcome === 'failed'
        ? { type: 'attempt-end', policy: 'hedge', attempt, outcome, won, durationMs, error }
        : { type: 'attempt-end', policy: 'hedge', attempt, outcome, won, durationMs },
    )
  }
}
