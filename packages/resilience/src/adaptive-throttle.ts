import type { FailureContext } from './circuit-breaker.js'
import { ThrottledError } from './errors/throttled-error.js'
import { type Context, type ContextOperation, answeredView, contextFor } from './internal/context.js'
import { type InternalPolicy, invoke, kRun, untilAborted } from './internal/policy.js'
import { type ObservablePolicy, PolicyEvents, type PolicyListener } from './policy-events.js'
import { SlidingWindow } from './sliding-window.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link AdaptiveThrottle}. */
export interface AdaptiveThrottleOptions {
  /**
   * How many requests per accept the client may send before it starts refusing locally: 2 lets
   * through twice what the downstream accepts, so a recovering downstream is seen at once. Lower is
   * more aggressive. Defaults to 2; at least 1.
   */
  readonly k?: number
  /** How far back requests and accepts are counted, in milliseconds. Defaults to 120 000 (two minutes). */
  readonly windowMs?: number
  /**
   * Which rejections mean the downstream did not accept the request. Called with the error and how
   * the call ended (see {@link FailureContext}). By default every error of `fn`'s own is a failure
   * and the caller's abort (`callerAborted` true) counts as neither request nor accept. For an
   * abort, true counts a request without an accept and false counts nothing; for `fn`'s own error,
   * false counts an accept (the downstream answered, say with a 404).
   */
  readonly isFailure?: (error: unknown, context: FailureContext) => boolean
  /**
   * No call is refused while fewer than this many requests are counted in the window, so a few
   * failures of a quiet client do not refuse its next calls. Defaults to 0 (the SRE book's formula
   * as is).
   */
  readonly minRequests?: number
  /** The random source, uniform in [0, 1). Defaults to `Math.random`. */
  readonly random?: () => number
  /** Hears the throttle's events from the start, as {@link AdaptiveThrottle.listen} would. */
  readonly listener?: PolicyListener
}

const REQUESTS = 0
const ACCEPTS = 1
const OWN_FAILURE: FailureContext = Object.freeze({ callerAborted: false })
const CALLER_ABORTED: FailureContext = Object.freeze({ callerAborted: true })

/**
 * Client-side adaptive throttling, from Google's SRE book ("Handling Overload"): the client counts
 * the `requests` it made and the `accepts` the downstream answered over the last `windowMs`, and
 * refuses a new call locally, with {@link ThrottledError}, with probability
 * `max(0, (requests - k·accepts) / (requests + 1))`. While the downstream accepts at least one
 * request in `k`, nothing is refused; as it fails, more and more calls are refused without being
 * sent, so a failing downstream is not hammered by callers that cannot see its breaker, yet some
 * calls still get through to notice its recovery.
 *
 * A call is counted when it settles: resolved, it is a request and an accept; rejected, a request
 * only (unless `isFailure` says the downstream answered). A call refused locally counts as a
 * request, as in the book, so that refusals keep the probability up while the downstream is down.
 * The caller's abort counts as neither. When the caller's signal aborts, the call rejects at once
 * with its reason, even if `fn` ignores its signal.
 *
 * @example
 * const throttle = new AdaptiveThrottle({ k: 2, windowMs: 60_000 })
 * const products = pipeline(throttle, timeoutPolicy(1000))
 * await products.execute(({ signal }) => client.get('/products', { signal }))
 */
export class AdaptiveThrottle implements InternalPolicy, ObservablePolicy {
  /** Requests allowed per accept before local refusals start. */
  readonly k: number
  /** The counting window, in milliseconds. */
  readonly windowMs: number
  /** Requests the window must hold before any call is refused. */
  readonly minRequests: number

  private readonly window: SlidingWindow
  private readonly isFailure: ((error: unknown, context: FailureContext) => boolean) | undefined
  private readonly random: () => number
  private readonly events: PolicyEvents

  constructor(options: AdaptiveThrottleOptions = {}) {
    this.k = options.k ?? 2
    this.windowMs = options.windowMs ?? 120_000
    this.minRequests = options.minRequests ?? 0
    if (!(this.k >= 1) || !(this.windowMs > 0) || !(this.minRequests >= 0)) {
      throw new RangeError(`AdaptiveThrottle needs k >= 1, windowMs > 0 and minRequests >= 0, got k ${this.k}, windowMs ${this.windowMs}, minRequests ${this.minRequests}`)
    }
    this.window = new SlidingWindow(this.windowMs, 2)
    this.isFailure = options.isFailure
    this.random = options.random ?? Math.random
    this.events = new PolicyEvents(options.listener)
  }

  /** Requests counted in the window, local refusals included. */
  get requests(): number {
    return this.window.total(REQUESTS)
  }

  /** Requests the downstream accepted, in the window. */
  get accepts(): number {
    return this.window.total(ACCEPTS)
  }

  /** The probability that a call made now is refused locally. */
  get probability(): number {
    return this.refusalProbability()
  }

  /**
   * Hears what the throttle does: a `rejection` event with the {@link ThrottledError} of every call
   * it refuses locally. Returns a function that stops listening.
   */
  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  /**
   * Runs `fn`, or refuses it locally with {@link ThrottledError} with the probability above.
   * Aborting `signal` rejects at once with its reason.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this[kRun](fn, contextFor(options?.signal))
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    if (context.aborted) {
      return Promise.reject(context.reason)
    }
    const probability = this.refusalProbability()
    // No draw while accepts keep up: the random source is not even consulted.
    if (probability > 0 && this.random() < probability) {
      this.window.add(REQUESTS)
      const error = new ThrottledError(probability)
      if (this.events.active) {
        this.events.emit({ type: 'rejection', policy: 'throttle', error })
      }
      return Promise.reject(error)
    }
    if (context.abortable && !context.answered) {
      return untilAborted(this.run(fn, answeredView(context)), context)
    }
    return this.run(fn, context)
  }

  /** `max(0, (requests - k·accepts) / (requests + 1))`, or 0 while requests are below `minRequests`. */
  private refusalProbability(): number {
    const requests = this.window.total(REQUESTS)
    if (requests < this.minRequests) {
      return 0
    }
    const excess = requests - this.k * this.window.lastTotal(ACCEPTS)
    return excess > 0 ? excess / (requests + 1) : 0
  }

  /** Runs `fn` and counts how it ended. */
  private run<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    const result = invoke(fn, context)
    result.then(
      () => {
        this.window.addBoth(REQUESTS, ACCEPTS)
      },
      (error: unknown) => {
        this.judge(error, context.aborted)
      },
    )
    return result
  }

  private judge(error: unknown, callerAborted: boolean): void {
    const isFailure = this.isFailure
    const failed = isFailure === undefined ? !callerAborted : isFailure(error, callerAborted ? CALLER_ABORTED : OWN_FAILURE)
    if (failed) {
      this.window.add(REQUESTS)
    } else if (!callerAborted) {
      this.window.addBoth(REQUESTS, ACCEPTS)
    }
  }
}
