import type { ExecutionContext, Policy } from '../types.js'
import { type Context, type ContextOperation, adoptContext, answeredView } from './context.js'

/**
 * The entry point built-in policies share among themselves. Inside a pipeline a policy hands the
 * next one its {@link Context} directly, instead of a signal: reading `context.signal` would create
 * an `AbortController` that nothing may ever need.
 */
export const kRun: unique symbol = Symbol('storefront.resilience.run')

/** A policy that can run inside a pipeline without materialising signals. */
export interface InternalPolicy extends Policy {
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T>
}

function isInternal(policy: Policy): policy is InternalPolicy {
  return typeof (policy as Partial<InternalPolicy>)[kRun] === 'function'
}

/**
 * Runs `fn` through `policy` under `context`, whether the policy is ours or foreign.
 *
 * A foreign policy may ignore the signal it is given, or call `fn` long after the caller has gone.
 * When no policy further out answers the caller, the call is raced against the abort here, and `fn`
 * is not started once the context has aborted.
 */
export function runPolicy<T>(policy: Policy, fn: ContextOperation<T>, context: Context): Promise<T> {
  if (isInternal(policy)) {
    return policy[kRun](fn, context)
  }
  const answers = context.abortable && !context.answered
  const inner = answers ? answeredView(context) : context
  const result = policy.execute(
    (given: ExecutionContext | undefined) => (inner.aborted ? Promise.reject(inner.reason) : fn(adoptContext(given, inner))),
    { signal: context.signal },
  )
  return answers ? untilAborted(result, context) : result
}

/** Calls `fn` and turns a synchronous throw into a rejection. */
export function invoke<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
  try {
    return Promise.resolve(fn(context))
  } catch (error) {
    return Promise.reject(error)
  }
}

const ignore = (): void => {}

/**
 * Settles as `work` does, or rejects with the abort reason as soon as `context` aborts, whichever
 * comes first: the caller's signal is the caller's, even when the work ignores it. The work is left
 * to finish on its own; the subscription ends when either settles.
 */
export function untilAborted<T>(work: PromiseLike<T>, context: Context): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (context.aborted) {
      reject(context.reason)
      work.then(ignore, ignore)
      return
    }
    const unsubscribe = context.onAbort(reject)
    work.then(
      (value) => {
        unsubscribe()
        resolve(value)
      },
      (error: unknown) => {
        unsubscribe()
        reject(error)
      },
    )
  })
}
