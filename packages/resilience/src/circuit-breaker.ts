import { CircuitOpenError } from './errors/circuit-open-error.js'
import { now } from './internal/clock.js'
import { type Context, type ContextOperation, answeredView, contextFor } from './internal/context.js'
import { type Listeners, addListener, emit } from './internal/listeners.js'
import { type InternalPolicy, invoke, kRun } from './internal/policy.js'
import { type ObservablePolicy, PolicyEvents, type PolicyListener } from './policy-events.js'
import { SlidingWindow } from './sliding-window.js'
import type { ExecuteOptions, Operation } from './types.js'
import { runWithTimeout } from './with-timeout.js'

/** The three states of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Hears every state change: the new state, then the one it left. */
export type StateChangeListener = (state: CircuitState, previous: CircuitState) => void

/** What {@link CircuitBreakerOptions.isFailure} learns about how a call ended, besides its error. */
export interface FailureContext {
  /**
   * True when the signal the call runs under aborted before `fn` settled, and so ended the call:
   * the caller's own signal, or an outer policy's (an outer `timeoutPolicy`, a retry's `deadline`, a
   * lost hedge). The error is then the abort reason, whatever it is, not something `fn` did. False
   * for `fn`'s own rejections, the breaker's own `timeoutMs` included.
   */
  readonly callerAborted: boolean
}

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Failures inside `windowMs` that open the circuit. Defaults to 5; `Infinity` leaves it to the failure rate. */
  readonly maxFailures?: number
  /** The sliding window failures are counted in, in milliseconds. Defaults to 60 000. */
  readonly windowMs?: number
  /** How long the circuit stays open before it lets a probe through, in milliseconds. Defaults to 30 000. */
  readonly resetIntervalMs?: number
  /** A time limit per call, in milliseconds; a timeout counts as a failure. Defaults to none. */
  readonly timeoutMs?: number
  /** Probes allowed at once in half-open; that many successes close the circuit. Defaults to 1. */
  readonly halfOpenMaxCalls?: number
  /**
   * Opens the circuit when at least this share of the calls in the window failed, e.g. `0.5`
   * (values above 1 are read as percentages, so `50` means the same). Defaults to off.
   */
  readonly failureRateThreshold?: number
  /** Calls the window must hold before the failure rate is judged. Defaults to 10. */
  readonly minimumCalls?: number
  /** A call slower than this counts as a failure (its result is still returned), in milliseconds. Defaults to off. */
  readonly slowCallMs?: number
  /**
   * Which errors count against the downstream. Called once per call, with the error and how the
   * call ended (see {@link FailureContext}); a function of the error alone is fine too.
   *
   * For `fn`'s own rejections (`callerAborted` false), an error it refuses (a 404, a validation
   * error) counts as a success: the downstream answered. For an abort (`callerAborted` true, the
   * error being the abort reason), true counts a failure and false counts nothing: the call is
   * neither a failure nor a success, and a half-open circuit stays half-open.
   *
   * By default every error of `fn`'s own counts, and an abort counts only when its reason is a
   * timeout (a `TimeoutError`, or the `DOMException` of `AbortSignal.timeout()`): an outer
   * `timeoutPolicy` that gives up on a hung downstream is the downstream's fault, a caller walking
   * away is not. Pass your own to tell a caller's deadline from your own timeouts.
   *
   * @example
   * // Server errors count; of the aborts, only this client's own budget running out does.
   * isFailure: (error, { callerAborted }) => (callerAborted ? ownTimeouts.has(error) : isServerError(error))
   */
  readonly isFailure?: (error: unknown, context: FailureContext) => boolean
  /** A name for errors, logs and metrics. */
  readonly name?: string
  /** Hears the breaker's events from the start, as {@link CircuitBreaker.listen} would. */
  readonly listener?: PolicyListener
}

/** A snapshot of a breaker's counts. Window counts cover the last `windowMs`. */
export interface CircuitBreakerStats {
  readonly state: CircuitState
  /**
   * Calls that finished inside the window. Without `failureRateThreshold` or `slowCallMs`, a
   * success is stamped at the next failure or read rather than when it happened, so this may
   * include successes up to one read older than the window.
   */
  readonly calls: number
  /** Failures inside the window (slow calls included). */
  readonly failures: number
  /** Slow calls inside the window. */
  readonly slowCalls: number
  /** `failures / calls` inside the window, 0 when empty. */
  readonly failureRate: number
  /** Successful calls since creation. */
  readonly totalSuccesses: number
  /** Failed calls since creation. */
  readonly totalFailures: number
  /** Calls refused without running, since creation. */
  readonly totalRejected: number
  /** Probes running now (half-open only). */
  readonly probesInFlight: number
  /** Milliseconds until a probe is allowed: 0 unless open, `Infinity` while isolated. */
  readonly retryAfterMs: number
}

type InnerState =
  | { readonly kind: 'closed' }
  | { readonly kind: 'open'; readonly until: number }
  | { readonly kind: 'half-open'; inFlight: number; passed: number }
  | { readonly kind: 'isolated' }

const CLOSED: InnerState = { kind: 'closed' }
const OWN_FAILURE: FailureContext = Object.freeze({ callerAborted: false })
const CALLER_ABORTED: FailureContext = Object.freeze({ callerAborted: true })
const CALLS = 0
const FAILURES = 1
const SLOW = 2
const REFUSED = -1

/**
 * A circuit breaker with a real half-open state: after `maxFailures` failures inside
 * `windowMs` (or a failure rate over the window) it opens and refuses calls at once with
 * {@link CircuitOpenError}; after `resetIntervalMs` it lets `halfOpenMaxCalls` probes through;
 * probes that succeed close it with clean counts, and a probe that fails opens it again for a fresh
 * `resetIntervalMs`.
 *
 * Failures are counted exactly: the breaker keeps the times of the last `maxFailures` failures, so
 * "N failures inside the window" is checked in O(1). Results of calls admitted before a state
 * change do not drive the new state. A timeout (the breaker's own or an outer one) is a failure.
 *
 * The caller's signal is the caller's. When it aborts a running call, the breaker rejects at once
 * with the signal's reason, even if `fn` ignores its signal (which is aborted too), and judges the
 * call then, with `isFailure(reason, { callerAborted: true })`: by default a caller's abort is not
 * the downstream's fault and counts for nothing, neither failure nor success nor slow call, and a
 * half-open probe gives its slot back at once, so a `fn` that never settles cannot hold the circuit
 * half-open. Whatever `fn` does later is ignored. A signal already aborted is refused with its
 * reason before the breaker admits the call.
 *
 * @example
 * const breaker = new CircuitBreaker({ maxFailures: 2, windowMs: 5000, resetIntervalMs: 5000, timeoutMs: 1000 })
 * breaker.onStateChange((state) => console.log(state))
 * const products = await breaker.execute(({ signal }) => fetchProducts(signal))
 */
export class CircuitBreaker implements InternalPolicy, ObservablePolicy {
  /** The name given in the options, if any. */
  readonly name: string | undefined
  /** Failures inside the window that open the circuit. */
  readonly maxFailures: number
  /** The failure-counting window, in milliseconds. */
  readonly windowMs: number
  /** How long the circuit stays open, in milliseconds. */
  readonly resetIntervalMs: number

  private readonly timeoutMs: number | undefined
  private readonly halfOpenMaxCalls: number
  private readonly failureRateThreshold: number | undefined
  private readonly minimumCalls: number
  private readonly slowCallMs: number | undefined
  private readonly isFailure: ((error: unknown, context: FailureContext) => boolean) | undefined
  private readonly window: SlidingWindow
  /** Times of the last `maxFailures` failures, oldest at `failureNext` once full. */
  private readonly failureTimes: Float64Array | undefined
  private failureNext = 0
  private failureCount = 0
  private inner: InnerState = CLOSED
  /** Bumped on every state change; a call remembers the epoch it was admitted in. */
  private epoch = 0
  /**
   * Successes not yet put in the window. Without a failure rate or slow-call limit to judge, a
   * success need not read the clock: it is stamped with the time of the next failure or read.
   */
  private unstamped = 0
  private readonly stampEachCall: boolean
  private totalSuccesses = 0
  private totalFailures = 0
  private totalRejected = 0
  private readonly listeners: Listeners<StateChangeListener> = []
  private readonly events: PolicyEvents

  constructor(options: CircuitBreakerOptions = {}) {
    this.name = options.name
    this.events = new PolicyEvents(options.listener)
    this.maxFailures = options.maxFailures ?? 5
    this.windowMs = options.windowMs ?? 60_000
    this.resetIntervalMs = options.resetIntervalMs ?? 30_000
    this.timeoutMs = options.timeoutMs
    this.halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1
    const rate = options.failureRateThreshold
    this.failureRateThreshold = rate === undefined ? undefined : rate > 1 ? rate / 100 : rate
    this.minimumCalls = options.minimumCalls ?? 10
    this.slowCallMs = options.slowCallMs
    this.isFailure = options.isFailure
    validate(this, options)
    this.window = new SlidingWindow(this.windowMs, 3)
    this.stampEachCall = this.failureRateThreshold !== undefined || this.slowCallMs !== undefined
    this.failureTimes = Number.isFinite(this.maxFailures) ? new Float64Array(this.maxFailures) : undefined
  }

  /** The current state. Reading it moves an open circuit whose interval has passed to half-open. */
  get state(): CircuitState {
    const inner = this.inner
    if (inner.kind === 'open' && now() >= inner.until) {
      this.toHalfOpen()
    }
    return publicState(this.inner)
  }

  /** Counts over the window and since creation. */
  get stats(): CircuitBreakerStats {
    const state = this.state
    const inner = this.inner
    this.stampSuccesses()
    const calls = this.window.total(CALLS)
    const failures = this.window.total(FAILURES)
    return {
      state,
      calls,
      failures,
      slowCalls: this.window.total(SLOW),
      failureRate: calls === 0 ? 0 : failures / calls,
      totalSuccesses: this.totalSuccesses,
      totalFailures: this.totalFailures,
      totalRejected: this.totalRejected,
      probesInFlight: inner.kind === 'half-open' ? inner.inFlight : 0,
      retryAfterMs: this.retryAfterMs(),
    }
  }

  /**
   * Runs `fn` through the breaker: refused at once with {@link CircuitOpenError} while open,
   * otherwise run (under `timeoutMs`, if set) and its outcome counted. Aborting `signal` rejects at
   * once with its reason.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this[kRun](fn, contextFor(options?.signal))
  }

  /** A function with `fn`'s arguments that runs through the breaker. */
  wrap<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>): (...args: A) => Promise<R> {
    return (...args: A) => this.execute(() => fn(...args))
  }

  /** Hears every state change; returns a function that stops listening. */
  onStateChange(listener: StateChangeListener): () => void {
    return addListener(this.listeners, listener)
  }

  /**
   * Hears what the breaker does: a `state` event on every state change (after the
   * {@link onStateChange} listeners), and a `rejection` event with the {@link CircuitOpenError}
   * of every call it refuses. Returns a function that stops listening.
   */
  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  /** Forces the circuit open until {@link reset}, e.g. to take a downstream out by hand. */
  isolate(): void {
    this.transition({ kind: 'isolated' })
  }

  /** Closes the circuit with clean counts, from any state (isolated included). */
  reset(): void {
    this.transition(CLOSED)
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    if (context.abortable && context.aborted) {
      return Promise.reject(context.reason)
    }
    const epoch = this.admit()
    if (epoch === REFUSED) {
      this.totalRejected++
      const error = new CircuitOpenError(this.retryAfterMs(), this.name)
      if (this.events.active) {
        this.events.emit({ type: 'rejection', policy: 'breaker', error })
      }
      return Promise.reject(error)
    }
    if (!context.abortable) {
      return this.run(fn, context, epoch)
    }
    return context.answered ? this.runWatched(fn, context, epoch) : this.runAnswering(fn, context, epoch)
  }

  /** A call nothing can abort: the hot path, with no subscription. */
  private async run<T>(fn: ContextOperation<T>, context: Context, epoch: number): Promise<T> {
    const startedAt = this.slowCallMs === undefined ? 0 : now()
    try {
      const value = this.timeoutMs === undefined ? await fn(context) : await runWithTimeout(fn, this.timeoutMs, context, undefined)
      this.onSuccess(epoch, startedAt)
      return value
    } catch (error) {
      this.onError(error, epoch, startedAt)
      throw error
    }
  }

  /**
   * A call that may be aborted: it is judged at the abort (a probe slot must not wait for a `fn`
   * that may never settle), and whatever `fn` does afterwards is not judged again. When a policy
   * further out answers the caller, the call simply waits for the work.
   */
  private async runWatched<T>(fn: ContextOperation<T>, context: Context, epoch: number): Promise<T> {
    const startedAt = this.slowCallMs === undefined ? 0 : now()
    // Set by the abort listener while fn runs, hence typed wider than its first value.
    let judged = false as boolean
    const unsubscribe = context.onAbort((reason) => {
      if (!judged) {
        judged = true
        this.onAborted(reason, epoch)
      }
    })
    try {
      const value = this.timeoutMs === undefined ? await fn(context) : await runWithTimeout(fn, this.timeoutMs, context, undefined)
      if (!judged) {
        judged = true
        unsubscribe()
        this.onSuccess(epoch, startedAt)
      }
      return value
    } catch (error) {
      if (!judged) {
        judged = true
        unsubscribe()
        this.onError(error, epoch, startedAt)
      }
      throw error
    }
  }

  /**
   * {@link runWatched} for a caller no policy further out answers: the call rejects with the reason
   * at the abort, and the layers inside (told that the caller is answered) wait for the work, so a
   * bulkhead among them keeps its slot until it ends. One subscription serves both.
   */
  private runAnswering<T>(fn: ContextOperation<T>, context: Context, epoch: number): Promise<T> {
    const startedAt = this.slowCallMs === undefined ? 0 : now()
    const inner = answeredView(context)
    return new Promise<T>((resolve, reject) => {
      let judged = false
      const unsubscribe = context.onAbort((reason) => {
        if (!judged) {
          judged = true
          this.onAborted(reason, epoch)
          reject(reason)
        }
      })
      const work = this.timeoutMs === undefined ? invoke(fn, inner) : runWithTimeout(fn, this.timeoutMs, inner, undefined)
      work.then(
        (value) => {
          if (!judged) {
            judged = true
            unsubscribe()
            this.onSuccess(epoch, startedAt)
            resolve(value)
          }
        },
        (error: unknown) => {
          if (!judged) {
            judged = true
            unsubscribe()
            this.onError(error, epoch, startedAt)
            reject(error)
          }
        },
      )
    })
  }

  /** Returns the epoch the call is admitted in, or {@link REFUSED}. */
  private admit(): number {
    let inner = this.inner
    if (inner.kind === 'closed') {
      return this.epoch
    }
    if (inner.kind === 'open') {
      if (now() < inner.until) {
        return REFUSED
      }
      this.toHalfOpen()
      inner = this.inner
    }
    // At most halfOpenMaxCalls probes per half-open period: those running plus those that passed.
    if (inner.kind === 'half-open' && inner.inFlight + inner.passed < this.halfOpenMaxCalls) {
      inner.inFlight++
      return this.epoch
    }
    return REFUSED
  }

  private onSuccess(epoch: number, startedAt: number): void {
    this.totalSuccesses++
    const slow = this.slowCallMs !== undefined && now() - startedAt > this.slowCallMs
    if (epoch !== this.epoch) {
      return
    }
    const inner = this.inner
    if (inner.kind === 'closed') {
      if (!this.stampEachCall) {
        this.unstamped++
        return
      }
      this.window.add(CALLS)
      if (slow) {
        this.window.add(SLOW)
        this.recordFailure()
      } else if (this.failureRateThreshold !== undefined) {
        // A success can be the call that brings the window up to minimumCalls, with the failures
        // already over the threshold: the rate is judged on every call, not only on failures.
        this.checkFailureRate()
      }
    } else if (inner.kind === 'half-open') {
      inner.inFlight--
      if (slow) {
        this.toOpen()
      } else if (++inner.passed >= this.halfOpenMaxCalls) {
        this.transition(CLOSED)
      }
    }
  }

  /** `fn`'s own rejection (the breaker's own timeout included): a failure unless `isFailure` refuses it. */
  private onError(error: unknown, epoch: number, startedAt: number): void {
    if (this.isFailure !== undefined && !this.isFailure(error, OWN_FAILURE)) {
      this.onSuccess(epoch, startedAt)
      return
    }
    this.onFailure(epoch)
  }

  /**
   * The signal the call runs under aborted before `fn` settled. The abort counts as a failure or
   * not at all: it is never a success, nor a slow call, since `fn` never answered.
   */
  private onAborted(reason: unknown, epoch: number): void {
    const isFailure = this.isFailure
    // By default the caller's abort is the caller's business, whatever its reason: its deadline,
    // its client gone, a lost hedge. A time limit that judges the downstream belongs inside the
    // breaker (its `timeoutMs`, or a timeout policy after it in a pipeline); an `isFailure` that
    // knows better may still count an abort.
    if (isFailure !== undefined && isFailure(reason, CALLER_ABORTED)) {
      this.onFailure(epoch)
    } else {
      this.release(epoch)
    }
  }

  private onFailure(epoch: number): void {
    this.totalFailures++
    if (epoch !== this.epoch) {
      return
    }
    const inner = this.inner
    if (inner.kind === 'closed') {
      this.stampSuccesses()
      this.window.add(CALLS)
      this.recordFailure()
    } else if (inner.kind === 'half-open') {
      this.toOpen()
    }
  }

  /** Gives back a probe slot without judging the downstream. */
  private release(epoch: number): void {
    const inner = this.inner
    if (epoch === this.epoch && inner.kind === 'half-open') {
      inner.inFlight--
    }
  }

  /** Counts a failure while closed and opens the circuit if a threshold is reached. */
  private recordFailure(): void {
    this.window.add(FAILURES)
    const times = this.failureTimes
    if (times !== undefined) {
      const time = now()
      times[this.failureNext] = time
      this.failureNext = (this.failureNext + 1) % times.length
      if (this.failureCount < times.length) {
        this.failureCount++
      }
      // The oldest of the last maxFailures failures sits where the next one will be written.
      if (this.failureCount === times.length && time - times[this.failureNext]! <= this.windowMs) {
        this.toOpen()
        return
      }
    }
    this.checkFailureRate()
  }

  /** Opens the circuit if the window holds at least minimumCalls calls and the failure rate is reached. */
  private checkFailureRate(): void {
    const threshold = this.failureRateThreshold
    if (threshold !== undefined) {
      const calls = this.window.total(CALLS)
      if (calls >= this.minimumCalls && this.window.total(FAILURES) / calls >= threshold) {
        this.toOpen()
      }
    }
  }

  private stampSuccesses(): void {
    if (this.unstamped !== 0) {
      this.window.add(CALLS, this.unstamped)
      this.unstamped = 0
    }
  }

  private toOpen(): void {
    this.transition({ kind: 'open', until: now() + this.resetIntervalMs })
  }

  private toHalfOpen(): void {
    this.transition({ kind: 'half-open', inFlight: 0, passed: 0 })
  }

  private transition(next: InnerState): void {
    const previous = publicState(this.inner)
    this.inner = next
    this.epoch++
    if (next.kind === 'closed') {
      this.window.clear()
      this.unstamped = 0
      this.failureCount = 0
      this.failureNext = 0
    }
    const state = publicState(next)
    if (state !== previous) {
      emit(this.listeners, state, previous)
      if (this.events.active) {
        this.events.emit({ type: 'state', policy: 'breaker', name: this.name, state, previous })
      }
    }
  }

  private retryAfterMs(): number {
    const inner = this.inner
    switch (inner.kind) {
      case 'open':
        return Math.max(0, inner.until - now())
      case 'isolated':
        return Infinity
      case 'closed':
      case 'half-open':
        return 0
    }
  }
}

/** Our `TimeoutError`, or the `DOMException` named `TimeoutError` that `AbortSignal.timeout()` aborts with. */
function publicState(inner: InnerState): CircuitState {
  return inner.kind === 'isolated' ? 'open' : inner.kind
}

function validate(breaker: CircuitBreaker, options: CircuitBreakerOptions): void {
  const positive = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(value > 0)) {
      throw new RangeError(`CircuitBreaker ${name} must be positive, got ${value}`)
    }
  }
  if (!(breaker.maxFailures >= 1) || (Number.isFinite(breaker.maxFailures) && !Number.isInteger(breaker.maxFailures))) {
    throw new RangeError(`CircuitBreaker maxFailures must be a whole number >= 1 or Infinity, got ${breaker.maxFailures}`)
  }
  positive('windowMs', breaker.windowMs)
  positive('resetIntervalMs', breaker.resetIntervalMs)
  positive('timeoutMs', options.timeoutMs)
  if (options.halfOpenMaxCalls !== undefined && !(Number.isInteger(options.halfOpenMaxCalls) && options.halfOpenMaxCalls >= 1)) {
    throw new RangeError(`CircuitBreaker halfOpenMaxCalls must be a whole number >= 1, got ${options.halfOpenMaxCalls}`)
  }
  positive('slowCallMs', options.slowCallMs)
  positive('minimumCalls', options.minimumCalls)
  const rate = options.failureRateThreshold
  if (rate !== undefined && !(rate > 0 && rate <= 100)) {
    throw new RangeError(`CircuitBreaker failureRateThreshold must be in (0, 1] (or a percentage), got ${rate}`)
  }
}
