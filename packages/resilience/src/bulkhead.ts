import { BulkheadRejectedError } from './errors/bulkhead-rejected-error.js'
import { type Context, type ContextOperation, type Unsubscribe, answeredView, contextFor } from './internal/context.js'
import { type InternalPolicy, invoke, kRun, untilAborted } from './internal/policy.js'
import { type ObservablePolicy, PolicyEvents, type PolicyListener } from './policy-events.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link Bulkhead}. */
export interface BulkheadOptions {
  /** Calls allowed to run at once. */
  readonly maxConcurrent: number
  /** Calls allowed to wait for a slot. Defaults to 0: refuse at once when every slot is taken. */
  readonly maxQueue?: number
  /** Hears the bulkhead's events from the start, as {@link Bulkhead.listen} would. */
  readonly listener?: PolicyListener
}

interface Waiter {
  readonly fn: ContextOperation<unknown>
  /** The context `fn` will run under. */
  readonly context: Context
  /** True when this call answers its caller at the abort, also once it runs. */
  readonly answers: boolean
  readonly resolve: (value: unknown) => void
  readonly reject: (reason: unknown) => void
  unsubscribe: Unsubscribe | undefined
  cancelled: boolean
  started: boolean
}

/**
 * Limits how many calls run at once, so one slow downstream cannot take every socket, connection
 * or worker of the caller. Calls beyond `maxConcurrent` wait in a FIFO queue of `maxQueue`; beyond
 * that they are refused at once with {@link BulkheadRejectedError}.
 *
 * A slot is held until the work really finishes, even when an outer timeout has already given up
 * on it: the work is still using the resource the bulkhead protects. When the caller's signal
 * aborts, the call rejects at once with its reason, even if `fn` ignores its signal: a running call
 * keeps its slot until `fn` settles (then the queue moves on), and a queued call leaves the queue at
 * once and frees its place.
 *
 * @example
 * const bulkhead = new Bulkhead({ maxConcurrent: 10, maxQueue: 20 })
 * await bulkhead.execute(({ signal }) => db.query(sql, { signal }))
 */
export class Bulkhead implements InternalPolicy, ObservablePolicy {
  /** Calls allowed to run at once. */
  readonly maxConcurrent: number
  /** Calls allowed to wait. */
  readonly maxQueue: number

  private running = 0
  private waiting = 0
  private readonly queue: Waiter[] = []
  private queueHead = 0
  private readonly events: PolicyEvents

  constructor(options: BulkheadOptions) {
    this.maxConcurrent = options.maxConcurrent
    this.maxQueue = options.maxQueue ?? 0
    this.events = new PolicyEvents(options.listener)
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) {
      throw new RangeError(`Bulkhead maxConcurrent must be a whole number >= 1, got ${this.maxConcurrent}`)
    }
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) {
      throw new RangeError(`Bulkhead maxQueue must be a whole number >= 0, got ${this.maxQueue}`)
    }
  }

  /** Calls running now. */
  get active(): number {
    return this.running
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting
  }

  /**
   * Hears what the bulkhead does: a `rejection` event with the {@link BulkheadRejectedError} of
   * every call it refuses. Returns a function that stops listening.
   */
  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  /**
   * Runs `fn` when a slot is free, or refuses it if the queue is full too. Aborting `signal` rejects
   * at once with its reason, whether the call waits or runs.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this[kRun](fn, contextFor(options?.signal))
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    if (context.aborted) {
      return Promise.reject(context.reason)
    }
    // Unless a policy further out already does, this call answers the caller at the abort; the
    // slot itself follows the work, which the layers inside then wait for.
    const answers = context.abortable && !context.answered
    if (this.running < this.maxConcurrent) {
      if (!answers) {
        return this.run(fn, context)
      }
      return untilAborted(this.run(fn, answeredView(context)), context)
    }
    if (this.waiting >= this.maxQueue) {
      const error = new BulkheadRejectedError(this.maxConcurrent, this.maxQueue)
      if (this.events.active) {
        this.events.emit({ type: 'rejection', policy: 'bulkhead', error })
      }
      return Promise.reject(error)
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        fn: fn,
        context: answers ? answeredView(context) : context,
        answers,
        resolve: resolve as (value: unknown) => void,
        reject,
        unsubscribe: undefined,
        cancelled: false,
        started: false,
      }
      if (context.abortable) {
        waiter.unsubscribe = context.onAbort((reason) => {
          if (!waiter.started) {
            waiter.cancelled = true
            this.waiting--
            this.compact()
          }
          reject(reason)
        })
      }
      this.queue.push(waiter)
      this.waiting++
    })
  }

  /** Takes a slot for `fn` and gives it back when `fn` settles, not before. */
  private run<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    this.running++
    const done = (): void => {
      this.running--
      this.drain()
    }
    const result = invoke(fn, context)
    result.then(done, done)
    return result
  }

  /** Drops aborted waiters once they outnumber the live ones, so aborts cannot grow the queue. */
  private compact(): void {
    const length = this.queue.length - this.queueHead
    if (length > 2 * this.waiting + 16) {
      const live = this.queue.slice(this.queueHead).filter((waiter) => !waiter.cancelled)
      this.queue.length = 0
      this.queue.push(...live)
      this.queueHead = 0
    }
  }

  /** Starts queued calls while slots are free; aborted waiters were already counted out. */
  private drain(): void {
    while (this.running < this.maxConcurrent) {
      const waiter = this.queue[this.queueHead]
      if (waiter === undefined) {
        break
      }
      this.queue[this.queueHead] = undefined as never
      this.queueHead++
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0
        this.queueHead = 0
      }
      if (waiter.cancelled) {
        continue
      }
      this.waiting--
      waiter.started = true
      if (!waiter.answers) {
        // Someone further out answers the caller: this call settles when the work does.
        waiter.unsubscribe?.()
        waiter.unsubscribe = undefined
      }
      this.run(waiter.fn, waiter.context).then(
        (value) => {
          waiter.unsubscribe?.()
          waiter.resolve(value)
        },
        (error: unknown) => {
          waiter.unsubscribe?.()
          waiter.reject(error)
        },
      )
    }
  }
}
