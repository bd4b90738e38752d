import { LimitExceededError } from './errors/limit-exceeded-error.js'
import { isTimeoutError } from './errors/timeout-error.js'
import { now } from './internal/clock.js'
import { type Context, type ContextOperation, answeredView, contextFor } from './internal/context.js'
import { type Listeners, addListener, emit } from './internal/listeners.js'
import { type InternalPolicy, invoke, kRun, untilAborted } from './internal/policy.js'
import { type LimitAlgorithm, type LimitEstimator, createEstimator } from './limit-algorithm.js'
import { type ObservablePolicy, PolicyEvents, type PolicyListener } from './policy-events.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Hears every change of an {@link AdaptiveLimiter}'s limit: the new limit, then the old one. */
export type LimitChangeListener = (limit: number, previous: number) => void

/**
 * A place in flight taken from an {@link AdaptiveLimiter} with {@link AdaptiveLimiter.tryAcquire},
 * for work that is not one function call (an HTTP request from its first hook to its answer). Give
 * it back exactly once, saying how the work ended; calls after the first are ignored.
 */
export interface LimitPermit {
  /** The work finished: its latency is a sample. */
  release(): void
  /** The work was dropped (it timed out, the system below was overloaded): a drop sample. */
  drop(): void
  /** The work says nothing about load (a validation error, the caller left): no sample. */
  ignore(): void
}

/** Options of {@link AdaptiveLimiter}. */
export interface AdaptiveLimiterOptions {
  /** The limit to start from. Defaults to 20 (clamped to `[min, max]`). */
  readonly initial?: number
  /** The limit never goes below this. Defaults to 1. */
  readonly min?: number
  /** The limit never goes above this. Defaults to 200. */
  readonly max?: number
  /** How the limit moves: `'gradient'` (the default), `'vegas'` or `'aimd'`, or the options of one. */
  readonly algorithm?: LimitAlgorithm
  /**
   * Which rejections of `fn` are drops, the sign of an overloaded downstream. Drops shrink an AIMD
   * limit at once; the gradient takes their latency like any other sample. Other rejections (a 404,
   * a validation error, the caller's abort) teach the limiter nothing and are not sampled. Defaults
   * to timeouts: a `TimeoutError`, or the `DOMException` of `AbortSignal.timeout()`.
   */
  readonly isDrop?: (error: unknown) => boolean
  /** Hears the limiter's events from the start, as {@link AdaptiveLimiter.listen} would. */
  readonly listener?: PolicyListener
}

/**
 * A concurrency limit that finds itself from measured latency, after Netflix's concurrency-limits:
 * calls run while fewer than `limit` are in flight, and beyond that are refused at once with
 * {@link LimitExceededError}. Each call that settles is a sample (its latency, how many calls were
 * in flight when it started, whether it was dropped) from which the algorithm moves the limit,
 * always within `[min, max]`.
 *
 * Where a {@link Bulkhead} needs its `maxConcurrent` guessed in advance, the limiter looks for the
 * concurrency at which the downstream answers without queueing, and follows it as the downstream
 * slows down or recovers: `'vegas'` settles a few calls above it under sustained overload, the
 * default `'gradient'` swings around it. Share one limiter among all calls to one downstream.
 *
 * A call stays in flight until `fn` settles, even when an outer timeout has given up on it. When
 * the caller's signal aborts, the call rejects at once with its reason, even if `fn` ignores its
 * signal; it keeps its place in flight until `fn` settles.
 *
 * @example
 * const limiter = new AdaptiveLimiter({ initial: 10, min: 2, max: 100 })
 * limiter.onLimitChange((limit) => metrics.gauge('inventory_limit', limit))
 * await limiter.execute(({ signal }) => inventory.get(sku, { signal }))
 */
export class AdaptiveLimiter implements InternalPolicy, ObservablePolicy {
  /** The lowest the limit goes. */
  readonly min: number
  /** The highest the limit goes. */
  readonly max: number

  private readonly estimator: LimitEstimator
  private readonly isDrop: (error: unknown) => boolean
  /** The algorithm's real-valued estimate; the limit is its whole part. */
  private estimate: number
  private current: number
  private running = 0
  private readonly listeners: Listeners<LimitChangeListener> = []
  private readonly events: PolicyEvents

  constructor(options: AdaptiveLimiterOptions = {}) {
    this.events = new PolicyEvents(options.listener)
    this.min = options.min ?? 1
    this.max = options.max ?? 200
    if (!Number.isInteger(this.min) || this.min < 1 || !Number.isInteger(this.max) || this.max < this.min) {
      throw new RangeError(`AdaptiveLimiter needs whole numbers 1 <= min <= max, got min ${this.min}, max ${this.max}`)
    }
    const initial = options.initial ?? 20
    if (!(initial > 0)) {
      throw new RangeError(`AdaptiveLimiter initial must be positive, got ${initial}`)
    }
    this.estimator = createEstimator(options.algorithm ?? 'gradient')
    this.isDrop = options.isDrop ?? isTimeout
    this.estimate = Math.min(this.max, Math.max(this.min, initial))
    this.current = Math.floor(this.estimate)
  }

  /** Calls allowed in flight now. */
  get limit(): number {
    return this.current
  }

  /** Calls in flight now: admitted, and `fn` not yet settled. */
  get inflight(): number {
    return this.running
  }

  /** Hears every change of the limit; returns a function that stops listening. */
  onLimitChange(listener: LimitChangeListener): () => void {
    return addListener(this.listeners, listener)
  }

  /**
   * Hears what the limiter does: a `limit` event on every change of the limit (after the
   * {@link onLimitChange} listeners), and a `rejection` event with the {@link LimitExceededError}
   * of every call {@link execute} refuses. A refusal of {@link tryAcquire} is heard too, with a
   * `LimitExceededError` built for the listeners alone (the caller still gets undefined, and
   * without listeners the refusal still allocates nothing). Returns a function that stops listening.
   */
  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  /**
   * Runs `fn` if fewer than `limit` calls are in flight, or refuses it at once with
   * {@link LimitExceededError}. Aborting `signal` rejects at once with its reason.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this[kRun](fn, contextFor(options?.signal))
  }

  /**
   * Takes a place in flight for work the caller measures itself, or returns undefined at once
   * when `limit` places are taken. Where {@link execute} would allocate a rejected promise and an
   * error for every refusal, this answers a refusal with nothing at all: the cheapest way to shed
   * on a server's hot path, before a request is parsed.
   *
   * @example
   * const permit = limiter.tryAcquire()
   * if (permit === undefined) return reply.code(503).send()
   * reply.raw.once('close', () => permit.release())
   */
  tryAcquire(): LimitPermit | undefined {
    if (this.running >= this.current) {
      if (this.events.active) {
        this.events.emit({ type: 'rejection', policy: 'limiter', error: new LimitExceededError(this.current) })
      }
      return undefined
    }
    const inflight = ++this.running
    const startedAt = now()
    let settled = false
    const settle = (sampled: boolean, dropped: boolean): void => {
      if (settled) {
        return
      }
      settled = true
      this.running--
      if (sampled) {
        this.sample(now() - startedAt, inflight, dropped)
      }
    }
    return {
      release: () => { settle(true, false) },
      drop: () => { settle(true, true) },
      ignore: () => { settle(false, false) },
    }
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    if (context.aborted) {
      return Promise.reject(context.reason)
    }
    if (this.running >= this.current) {
      const error = new LimitExceededError(this.current)
      if (this.events.active) {
        this.events.emit({ type: 'rejection', policy: 'limiter', error })
      }
      return Promise.reject(error)
    }
    // As in a bulkhead: unless a policy further out already does, this call answers the caller at
    // the abort, while its place in flight follows the work.
    if (context.abortable && !context.answered) {
      return untilAborted(this.run(fn, answeredView(context)), context)
    }
    return this.run(fn, context)
  }

  /** Counts `fn` in flight until it settles, then feeds its latency to the algorithm. */
  private run<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    const inflight = ++this.running
    const startedAt = now()
    const result = invoke(fn, context)
    result.then(
      () => {
        this.running--
        this.sample(now() - startedAt, inflight, false)
      },
      (error: unknown) => {
        this.running--
        if (this.isDrop(error)) {
          this.sample(now() - startedAt, inflight, true)
        }
      },
    )
    return result
  }

  private sample(rttMs: number, inflight: number, dropped: boolean): void {
    const next = this.estimator.sample(this.estimate, rttMs, inflight, dropped)
    this.estimate = Math.min(this.max, Math.max(this.min, next))
    const limit = Math.floor(this.estimate)
    const previous = this.current
    if (limit !== previous) {
      this.current = limit
      emit(this.listeners, limit, previous)
      if (this.events.active) {
        this.events.emit({ type: 'limit', policy: 'limiter', limit, previous })
      }
    }
  }
}

/** Our `TimeoutError`, or the `DOMException` named `TimeoutError` that `AbortSignal.timeout()` aborts with. */
function isTimeout(error: unknown): boolean {
  return isTimeoutError(error) || (error instanceof DOMException && error.name === 'TimeoutError')
}
