import { type Context, type ContextOperation, ScopeContext, type Unsubscribe, contextFor } from './internal/context.js'
import { type InternalPolicy, invoke, kRun } from './internal/policy.js'
import { type TimerEntry, cancel, schedule } from './internal/timer-queue.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link hedge} and {@link hedgePolicy}. */
export interface HedgeOptions {
  /** How long the first copy runs alone before another starts, in milliseconds. */
  readonly delayMs: number
  /** Extra copies allowed, each `delayMs` after the previous one. Defaults to 1. */
  readonly maxHedges?: number
  /** Aborting it aborts every copy and rejects with its reason. */
  readonly signal?: AbortSignal
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
  return runHedge(fn, resolveHedge(options), contextFor(options.signal))
}

/** A policy that hedges as {@link hedge} does, for {@link pipeline}. */
export function hedgePolicy(options: Omit<HedgeOptions, 'signal'>): HedgePolicy {
  return new HedgePolicy(options)
}

/** The policy form of {@link hedge}; build it with {@link hedgePolicy}. */
export class HedgePolicy implements InternalPolicy {
  private readonly options: ResolvedHedge

  constructor(options: Omit<HedgeOptions, 'signal'>) {
    this.options = resolveHedge(options)
  }

  /** Runs `fn`, hedged. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return runHedge(fn, this.options, contextFor(options?.signal))
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    return runHedge(fn, this.options, context)
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

function runHedge<T>(fn: ContextOperation<T>, options: ResolvedHedge, parent: Context): Promise<T> {
  if (parent.aborted) {
    return Promise.reject(parent.reason)
  }
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
      for (const copy of copies) {
        if (copy !== except) {
          copy.abort(reason())
        }
        copy.dispose()
      }
    }
    const launch = (): void => {
      if (timer !== undefined) {
        cancel(timer)
        timer = undefined
      }
      const context = new ScopeContext(parent, copies.length + 1, parent.deadline)
      copies.push(context)
      if (copies.length < totalCopies) {
        timer = schedule(options.delayMs, launch)
      }
      invoke(fn, context).then(
        (value) => {
          if (done) {
            return
          }
          finish()
          abortAll(hedgeLost, context)
          resolve(value)
        },
        (error: unknown) => {
          if (done) {
            return
          }
          failed++
          if (copies.length < totalCopies) {
            launch()
          } else if (failed === copies.length) {
            finish()
            for (const copy of copies) {
              copy.dispose()
            }
            reject(error)
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
