/**
 * Small helpers for the breaker, bulkhead and hedge tests: promises settled by hand, and a way to
 * see whether a promise has settled yet at a given fake-clock time.
 */
import type { CircuitBreaker, CircuitState } from '../circuit-breaker.js'

/** A promise with its resolve and reject functions exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  readonly resolve: (value: T) => void
  readonly reject: (reason: unknown) => void
}

/** A promise settled by hand. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** What a tracked promise has done so far. */
type Outcome<T> =
  | { readonly status: 'pending' }
  | { readonly status: 'fulfilled'; readonly value: T }
  | { readonly status: 'rejected'; readonly reason: unknown }

/** The live outcome of a promise, for asserting "still pending at t = 99 ms". */
export interface Tracked<T> {
  readonly outcome: Outcome<T>
  readonly promise: Promise<T>
}

/** Follows `promise` without leaving an unhandled rejection behind. */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: { outcome: Outcome<T>; promise: Promise<T> } = { outcome: { status: 'pending' }, promise }
  promise.then(
    (value) => {
      tracked.outcome = { status: 'fulfilled', value }
    },
    (reason: unknown) => {
      tracked.outcome = { status: 'rejected', reason }
    },
  )
  return tracked
}

/** Records every state change of `breaker` as `[state, previous]` pairs. */
export function recordTransitions(breaker: CircuitBreaker): Array<[CircuitState, CircuitState]> {
  const transitions: Array<[CircuitState, CircuitState]> = []
  breaker.onStateChange((state, previous) => {
    transitions.push([state, previous])
  })
  return transitions
}

/** A function that rejects with the error `message` (a fresh `Error` each call). */
function failing(message = 'boom'): () => Promise<never> {
  return () => Promise.reject(new Error(message))
}

/**
 * Runs `count` calls that fail with `Error('boom')` through `breaker`, one after another. Throws if
 * any call ends otherwise (refused by the breaker, say), so a test cannot miscount its failures.
 */
export async function failCalls(breaker: CircuitBreaker, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const outcome = await breaker.execute(failing()).then(
      () => 'fulfilled',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    )
    if (outcome !== 'boom') {
      throw new Error(`call ${index + 1} of ${count} ended with ${outcome}, not the failure "boom"`)
    }
  }
}
