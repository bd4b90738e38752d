import { TimeoutError } from './errors/timeout-error.js'
import { captureContext } from './internal/async-context.js'
import { type Context, type ContextOperation, ScopeContext, contextFor } from './internal/context.js'
import { type InternalPolicy, kRun } from './internal/policy.js'
import { cancel, schedule } from './internal/timer-queue.js'
import { type ObservablePolicy, type PolicyListener, PolicyEvents } from './policy-events.js'
import type { ExecuteOptions, Operation } from './types.js'

/** Options of {@link withTimeout}. */
export interface WithTimeoutOptions extends ExecuteOptions {
  /** Hears the timeout when it fires: see {@link PolicyEvent}. */
  readonly listener?: PolicyListener
}

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
  const listener = options?.listener
  const events = listener === undefined ? undefined : new PolicyEvents(listener)
  return runWithTimeout(fn, timeoutMs, contextFor(options?.signal), undefined, events)
}

/** A policy that bounds each call to `timeoutMs`, for {@link pipeline}. */
export function timeoutPolicy(timeoutMs: number, options: { readonly listener?: PolicyListener } = {}): TimeoutPolicy {
  return new TimeoutPolicy(timeoutMs, options)
}

/** The policy form of {@link withTimeout}; build it with {@link timeoutPolicy}. */
export class TimeoutPolicy implements InternalPolicy, ObservablePolicy {
  /** The time limit per call, in milliseconds. */
  readonly timeoutMs: number
  private readonly events: PolicyEvents

  constructor(timeoutMs: number, options: { readonly listener?: PolicyListener } = {}) {
    assertTimeout(timeoutMs)
    this.timeoutMs = timeoutMs
    this.events = new PolicyEvents(options.listener)
  }

  /** Runs `fn` under this policy's time limit. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return runWithTimeout(fn, this.timeoutMs, contextFor(options?.signal), undefined, this.events.active ? this.events : undefined)
  }

  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    return runWithTimeout(fn, this.timeoutMs, context, undefined, this.events.active ? this.events : undefined)
  }
}

/**
 * The engine behind every timeout in the library: runs `fn` in a child of `parent` (with
 * `attempt`, or the parent's), bounded by `timeoutMs` and by the parent's deadline. `events`, the
 * timeout policy's own, hear it give up; they are passed only while someone listens (checking
 * here costs the unobserved call measurably), and the timeouts of other policies (a retry's per
 * attempt, a breaker's) pass none.
 */
export function runWithTimeout<T>(
  fn: ContextOperation<T>,
  timeoutMs: number,
  parent: Context,
  attempt: number | undefined,
  events?: PolicyEvents,
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
      events?.emit({ type: 'timeout', policy: 'timeout', timeoutMs: deadline.timeoutMs })
      return Promise.reject(new TimeoutError(deadline.timeoutMs))
    }
  }
  const context = new ScopeContext(parent, attempt ?? parent.attempt, deadline)
  const report = events === undefined ? undefined : timeoutReporter(events)
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const timer = schedule(limitMs, () => {
      if (settled) {
        return
      }
      settled = true
      unsubscribe?.()
      // Report the limit the caller set: the deadline's own budget when it cut the call short.
      const reportedMs = limitMs < timeoutMs && deadline !== undefined ? deadline.timeoutMs : timeoutMs
      const error = new TimeoutError(reportedMs)
      report?.(reportedMs)
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

/**
 * Emits a call's timeout event. The shared timer fires in the async context of whichever call
 * armed it, so the event is emitted in the context captured now, inside the call.
 */
function timeoutReporter(events: PolicyEvents): (timeoutMs: number) => void {
  const inContext = captureContext()
  return (timeoutMs) => {
    inContext(() => {
      events.emit({ type: 'timeout', policy: 'timeout', timeoutMs })
    })
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function'
}

function assertTimeout(timeoutMs: number): void {
  if (!(timeoutMs > 0)) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`)
  }
}
