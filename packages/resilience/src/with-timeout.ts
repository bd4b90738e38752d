import { TimeoutError } from './errors/timeout-error.js'
import { type Context, type ContextOperation, ScopeContext, contextFor } from './internal/context.js'
import { type InternalPolicy, kRun } from './internal/policy.js'
import { cancel, schedule } from './internal/timer-queue.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link withTimeout}. */
export type WithTimeoutOptions = ExecuteOptions

/**
 * `asyncio.wait_for`: resolves with `fn`'s result, or rejects with {@link TimeoutError} once
 * `timeoutMs` has passed, aborting the signal `fn` received so the work behind it stops.
 *
 * A call that has not settled when its timer fires has timed out, even if it would have settled in
 * the same tick. The caller's `signal` aborting rejects at once with its reason, even when `fn`
 * ignores its signal. When the call runs under a {@link Deadline} that ends sooner, the deadline wins.
 *
 * Costs no timer and no `AbortController` of its own on the success path: timeouts share one
 * timer, and the signal is created only if `fn` reads it.
 *
 * @example
 * const res = await withTimeout(({ signal }) => fetch(url, { signal }), 1000)
 */
export function withTimeout<T>(fn: Operation<T>, timeoutMs: number, options?: WithTimeoutOptions): Promise<T> {
  return runWithTimeout(fn, timeoutMs, contextFor(options?.signal), undefined)
}

/** A policy that bounds each call to `timeoutMs`, for {@link pipeline}. */
export function timeoutPolicy(timeoutMs: number): TimeoutPolicy {
  return new TimeoutPolicy(timeoutMs)
}

/** The policy form of {@link withTimeout}; build it with {@link timeoutPolicy}. */
export class TimeoutPolicy implements InternalPolicy {
  /** The time limit per call, in milliseconds. */
  readonly timeoutMs: number

  constructor(timeoutMs: number) {
    assertTimeout(timeoutMs)
    this.timeoutMs = timeoutMs
  }

  /** Runs `fn` under this policy's time limit. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return runWithTimeout(fn, this.timeoutMs, contextFor(options?.signal), undefined)
  }

  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    return runWithTimeout(fn, this.timeoutMs, context, undefined)
  }
}

/**
 * The engine behind every timeout in the library: runs `fn` in a child of `parent` (with
 * `attempt`, or the parent's), bounded by `timeoutMs` and by the parent's deadline.
 */
export function runWithTimeout<T>(
  fn: ContextOperation<T>,
  timeoutMs: number,
  parent: Context,
  attempt: number | undefined,
): Promise<T> {
  assertTimeout(timeoutMs)
  if (parent.aborted) {
    return Promise.reject(parent.reason)
  }
  let limitMs = timeoutMs
  const deadline = parent.deadline
  if (deadline !== undefined) {
    const remainingMs = deadline.remainingMs()
    if (remainingMs < limitMs) {
      limitMs = remainingMs
    }
    if (limitMs <= 0) {
      return Promise.reject(new TimeoutError(deadline.timeoutMs))
    }
  }
  const context = new ScopeContext(parent, attempt ?? parent.attempt, deadline)
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const timer = schedule(limitMs, () => {
      if (settled) {
        return
      }
      settled = true
      unsubscribe?.()
      // Report the limit the caller set: the deadline's own budget when it cut the call short.
      const error = new TimeoutError(limitMs < timeoutMs && deadline !== undefined ? deadline.timeoutMs : timeoutMs)
      context.abort(error)
      context.dispose()
      reject(error)
    })
    const unsubscribe = parent.abortable
      ? parent.onAbort((reason) => {
        if (settled) {
          return
        }
        cancel(timer)
        context.abort(reason)
        if (parent.answered) {
          // A policy further out has answered the caller: wait for the work, so that a bulkhead
          // around this timeout keeps its slot until the work really ends.
          return
        }
        settled = true
        context.dispose()
        reject(reason)
      })
      : undefined
    // The call settled first: stop the timer and the parent subscription. False if already over.
    const release = (): boolean => {
      if (settled) {
        return false
      }
      settled = true
      cancel(timer)
      unsubscribe?.()
      context.dispose()
      return true
    }
    const onValue = (value: T): void => {
      if (release()) {
        resolve(value)
      }
    }
    const onError = (error: unknown): void => {
      if (release()) {
        reject(error)
      }
    }
    let result: T | PromiseLike<T>
    try {
      result = fn(context)
    } catch (error) {
      onError(error)
      return
    }
    if (isPromiseLike(result)) {
      result.then(onValue, onError)
    } else {
      onValue(result)
    }
  })
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function'
}

function assertTimeout(timeoutMs: number): void {
  if (!(timeoutMs > 0)) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`)
  }
}
