import type { ExecutionContext, Policy } from '../types.js'
import { type Context, type ContextOperation, adoptContext } from './context.js'

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

/** Runs `fn` through `policy` under `context`, whether the policy is ours or foreign. */
export function runPolicy<T>(policy: Policy, fn: ContextOperation<T>, context: Context): Promise<T> {
  if (isInternal(policy)) {
    return policy[kRun](fn, context)
  }
  return policy.execute((inner: ExecutionContext | undefined) => fn(adoptContext(inner, context)), {
    signal: context.signal,
  })
}

/** Calls `fn` and turns a synchronous throw into a rejection. */
export function invoke<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
  try {
    return Promise.resolve(fn(context))
  } catch (error) {
    return Promise.reject(error)
  }
}
