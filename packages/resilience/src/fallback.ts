import type { FailureContext } from './circuit-breaker.js'
import { type Context, answeredView, contextFor } from './internal/context.js'
import { invoke, untilAborted } from './internal/policy.js'
import { type ObservablePolicy, PolicyEvents, type PolicyListener } from './policy-events.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link fallback} and {@link fallbackPolicy}. */
export interface FallbackOptions {
  /**
   * Which errors to fall back from. Called with the error and how the call ended (see
   * {@link FailureContext}). Defaults to every error of `fn`'s own, and never the abort of the
   * signal the call runs under (`callerAborted` true): the caller who walked away wants no value.
   */
  readonly isFailure?: (error: unknown, context: FailureContext) => boolean
  /**
   * Hears a `fallback` event, with `fn`'s error, each time the fallback stands in (just before
   * `onFailure` is called), as {@link FallbackPolicy.listen} would.
   */
  readonly listener?: PolicyListener
}

/** Options of {@link fallback}: {@link FallbackOptions} and the caller's signal. */
export interface FallbackCallOptions extends FallbackOptions, ExecuteOptions {}

const OWN_FAILURE: FailureContext = Object.freeze({ callerAborted: false })
const CALLER_ABORTED: FailureContext = Object.freeze({ callerAborted: true })

/**
 * Polly/Resilience4j-style fallback: resolves with `fn`'s value, or, when `fn` fails, with the value
 * of `onFailure(error)`. An error `isFailure` refuses is rethrown untouched, and so is an error
 * `onFailure` throws. The caller's abort is not a failure to fall back from: when the caller's
 * signal aborts, the call rejects at once with its reason.
 *
 * @example
 * const recommendations = await fallback(({ signal }) => client.get('/recommendations', { signal }), () => [])
 */
export function fallback<T, R>(
  fn: Operation<T>,
  onFailure: (error: unknown) => R | PromiseLike<R>,
  options?: FallbackCallOptions,
): Promise<T | R> {
  const listener = options?.listener
  return runFallback(fn, onFailure, options?.isFailure, listener === undefined ? undefined : new PolicyEvents(listener), contextFor(options?.signal))
}

/**
 * The policy form of {@link fallback}. Its result widens each call's type to `T | R`, so it goes
 * around a pipeline rather than in one.
 *
 * @example
 * const orEmpty = fallbackPolicy(() => [] as Product[])
 * const list = await orEmpty.execute((context) => products.execute(fetchProducts, context))
 */
export function fallbackPolicy<R>(onFailure: (error: unknown) => R | PromiseLike<R>, options?: FallbackOptions): FallbackPolicy<R> {
  return new FallbackPolicy(onFailure, options)
}

/** Falls back to `onFailure(error)` when a call fails; build it with {@link fallbackPolicy}. */
export class FallbackPolicy<R> implements ObservablePolicy {
  private readonly onFailure: (error: unknown) => R | PromiseLike<R>
  private readonly isFailure: ((error: unknown, context: FailureContext) => boolean) | undefined
  private readonly events: PolicyEvents

  constructor(onFailure: (error: unknown) => R | PromiseLike<R>, options?: FallbackOptions) {
    this.onFailure = onFailure
    this.isFailure = options?.isFailure
    this.events = new PolicyEvents(options?.listener)
  }

  /**
   * Hears a `fallback` event, with `fn`'s error, each time the fallback stands in (just before
   * `onFailure` is called). Returns a function that stops listening.
   */
  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  /** Runs `fn`, and falls back when it fails. Aborting `signal` rejects at once with its reason. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T | R> {
    return runFallback(fn, this.onFailure, this.isFailure, this.events, contextFor(options?.signal))
  }
}

function runFallback<T, R>(
  fn: Operation<T>,
  onFailure: (error: unknown) => R | PromiseLike<R>,
  isFailure: ((error: unknown, context: FailureContext) => boolean) | undefined,
  events: PolicyEvents | undefined,
  context: Context,
): Promise<T | R> {
  if (context.aborted) {
    return Promise.reject(context.reason)
  }
  const answers = context.abortable && !context.answered
  const inner = answers ? answeredView(context) : context
  const result = invoke(fn, inner).then(undefined, (error: unknown) => {
    const callerAborted = inner.aborted
    const failed = isFailure === undefined ? !callerAborted : isFailure(error, callerAborted ? CALLER_ABORTED : OWN_FAILURE)
    if (!failed) {
      throw error
    }
    if (events?.active === true) {
      events.emit({ type: 'fallback', policy: 'fallback', error })
    }
    return onFailure(error)
  })
  return answers ? untilAborted(result, context) : result
}
