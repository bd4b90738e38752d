/**
 * Small helpers for the timeout / retry / settle / deadline / pipeline tests. Everything here runs
 * on the fake clock: nothing sleeps for real.
 */
import type { ExecutionContext } from '../types.js'

/** What a promise has done so far, and when (on the fake `performance.now()` clock). */
export interface Tracked<T> {
  readonly promise: Promise<T>
  state: 'pending' | 'fulfilled' | 'rejected'
  value: T | undefined
  reason: unknown
  /** `performance.now()` when it settled; `undefined` while pending. */
  at: number | undefined
}

/**
 * Follows `promise` from now on, so a test can advance the fake clock and then look at what
 * happened. Attaching the handlers at once also keeps an expected rejection from ever counting as
 * unhandled.
 */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { promise, state: 'pending', value: undefined, reason: undefined, at: undefined }
  promise.then(
    (value) => {
      tracked.state = 'fulfilled'
      tracked.value = value
      tracked.at = performance.now()
    },
    (reason: unknown) => {
      tracked.state = 'rejected'
      tracked.reason = reason
      tracked.at = performance.now()
    },
  )
  return tracked
}

/** Resolves with `value` after `ms` of fake time; ignores its signal. */
export function resolveAfter<T>(ms: number, value: T): Promise<T> {
  return new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))
}

/** Rejects with `error` after `ms` of fake time; ignores its signal. */
export function rejectAfter(ms: number, error: unknown): Promise<never> {
  return new Promise<never>((_resolve, reject) => setTimeout(() => reject(error), ms))
}

/** A promise that never settles: work that ignores its signal and hangs. */
export function never<T = never>(): Promise<T> {
  return new Promise<T>(() => {})
}

/**
 * Resolves with `value` after `ms`, or rejects with `signal.reason` as soon as the signal aborts:
 * well-behaved work, like `fetch(url, { signal })`.
 */
export function abortableResolveAfter<T>(ms: number, value: T, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** One call an operation received: its context and the fake time it started at. */
export interface Call {
  readonly context: ExecutionContext
  readonly signal: AbortSignal
  readonly attempt: number
  readonly at: number
}

/**
 * Wraps `body` into an operation that records each call (reading `signal` eagerly, so the test
 * can look at it after the call is over).
 */
export function recorder<T>(body: (context: ExecutionContext, index: number) => T | PromiseLike<T>): {
  readonly calls: Call[]
  readonly fn: (context: ExecutionContext) => T | PromiseLike<T>
} {
  const calls: Call[] = []
  const fn = (context: ExecutionContext): T | PromiseLike<T> => {
    calls.push({ context, signal: context.signal, attempt: context.attempt, at: performance.now() })
    return body(context, calls.length - 1)
  }
  return { calls, fn }
}

/** An error that numbers itself, so tests can check which attempt's error went where. */
export class AttemptError extends Error {
  constructor(readonly index: number) {
    super(`attempt ${index} failed`)
    this.name = 'AttemptError'
  }
}
