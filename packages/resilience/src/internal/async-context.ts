import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * Runs a callback in the async context current when it was captured. Policies capture one only
 * while a listener is attached, for the events a shared timer fires: that timer runs its callbacks
 * in the context of whichever call armed it, not of the call the event belongs to.
 */
export type ContextRunner = <R>(fn: () => R) => R

/** Captures the current async context (the active trace span, the request's logger). */
export function captureContext(): ContextRunner {
  return AsyncLocalStorage.snapshot()
}
