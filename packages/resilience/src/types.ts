import type { Deadline } from './deadline.js'

/**
 * What the library hands to every function it runs for you.
 *
 * `signal` is aborted when the library gives up on the call (timeout, deadline, hedge lost, caller
 * aborted): pass it to `fetch`, undici or your database driver so the work really stops. It is
 * created on first read, so a function that never reads it costs no `AbortController`.
 */
export interface ExecutionContext {
  /** Aborted, with the reason as `signal.reason`, once the result is no longer wanted. */
  readonly signal: AbortSignal
  /** 1 for the first try; counts up across retries and hedged copies. */
  readonly attempt: number
  /** The deadline the call runs under, when one was given. */
  readonly deadline?: Deadline | undefined
}

/** A unit of work run by a policy: receives the {@link ExecutionContext}, returns a value or a promise. */
export type Operation<T> = (context: ExecutionContext) => T | PromiseLike<T>

/** Options every `execute` accepts. */
export interface ExecuteOptions {
  /** Aborting it aborts everything running inside the call and rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Anything that can run an operation: the built-in policies, {@link CircuitBreaker},
 * {@link Bulkhead}, a {@link pipeline} of them, or your own object with this shape.
 */
export interface Policy {
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T>
}
