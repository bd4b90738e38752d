import type { CircuitState } from './circuit-breaker.js'
import { type Listeners, addListener, emit } from './internal/listeners.js'

/** The policy an event comes from. */
export type PolicyKind = 'timeout' | 'retry' | 'hedge' | 'breaker' | 'bulkhead' | 'limiter' | 'throttle' | 'fallback'

/**
 * What a policy did, as its listeners hear it: one union for every policy, told apart by `type`.
 * An event is emitted synchronously, inside the call it belongs to, so a listener sees that call's
 * async context (the active trace span, the request's logger).
 *
 * - `attempt`: a try of `fn` starts (a retry's attempts, a hedge's copies), numbered from 1.
 * - `attempt-end`: that try settled: `ok`, `failed` (with its error) or `cancelled` (a hedge's
 *   loser, aborted once another copy answered). `won` says whether its outcome is the call's.
 * - `retry`: a failed attempt will be tried again after `delayMs`.
 * - `hedge`: another copy starts because the first were slow after `delayMs`.
 * - `timeout`: the policy gave up on the call after `timeoutMs`.
 * - `rejection`: the policy refused the call without running `fn` (an open breaker, a full
 *   bulkhead or limiter, the throttle, an exhausted retry budget), with the error the caller got.
 * - `state`: a breaker moved from `previous` to `state`.
 * - `limit`: an adaptive limiter's limit moved from `previous` to `limit`.
 * - `fallback`: `fn` failed with `error` and the fallback's value stood in.
 */
export type PolicyEvent =
  | { readonly type: 'attempt'; readonly policy: 'retry' | 'hedge'; readonly attempt: number }
  | {
    readonly type: 'attempt-end'
    readonly policy: 'retry' | 'hedge'
    readonly attempt: number
    readonly outcome: 'ok' | 'failed' | 'cancelled'
    readonly won: boolean
    readonly durationMs: number
    readonly error?: unknown
  }
  | { readonly type: 'retry'; readonly policy: 'retry'; readonly attempt: number; readonly delayMs: number; readonly error: unknown }
  | { readonly type: 'hedge'; readonly policy: 'hedge'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'timeout'; readonly policy: 'timeout'; readonly timeoutMs: number }
  | { readonly type: 'rejection'; readonly policy: 'breaker' | 'bulkhead' | 'limiter' | 'throttle' | 'retry'; readonly error: Error }
  | { readonly type: 'state'; readonly policy: 'breaker'; readonly name: string | undefined; readonly state: CircuitState; readonly previous: CircuitState }
  | { readonly type: 'limit'; readonly policy: 'limiter'; readonly limit: number; readonly previous: number }
  | { readonly type: 'fallback'; readonly policy: 'fallback'; readonly error: unknown }

/** Hears a policy's events. A listener that throws does not disturb the call: see {@link PolicyEvents.emit}. */
export type PolicyListener = (event: PolicyEvent) => void

/** A policy that reports what it does: every policy of this library. */
export interface ObservablePolicy {
  /** Hears every event of this policy from now on; returns a function that stops listening. */
  listen(listener: PolicyListener): () => void
}

/**
 * The listeners of one policy. Emitting costs one length check while nobody listens, and callers
 * build an event only after {@link PolicyEvents.active} says someone will hear it, so an
 * unobserved policy pays nothing for being observable.
 */
export class PolicyEvents implements ObservablePolicy {
  private readonly listeners: Listeners<PolicyListener> = []

  /** Optionally starts with one listener, as the function forms' `listener` option gives. */
  constructor(listener?: PolicyListener) {
    if (listener !== undefined) {
      this.listeners.push(listener)
    }
  }

  /** True while at least one listener is attached. */
  get active(): boolean {
    return this.listeners.length !== 0
  }

  listen(listener: PolicyListener): () => void {
    return addListener(this.listeners, listener)
  }

  /**
   * Calls every listener with `event`. A listener that throws cannot corrupt the policy's state
   * halfway through a transition: its error is rethrown on a later microtask.
   */
  emit(event: PolicyEvent): void {
    emit(this.listeners, event)
  }
}
