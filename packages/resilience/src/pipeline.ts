import { type Context, type ContextOperation, contextFor } from './internal/context.js'
import { type InternalPolicy, invoke, kRun, runPolicy, untilAborted } from './internal/policy.js'
import type { ObservablePolicy, PolicyListener } from './policy-events.js'
import type { ExecuteOptions, Operation, Policy } from './types.js'

/**
 * Composes policies, outermost first: `pipeline(timeoutPolicy(1000), retryPolicy({ maxAttempts: 3 }), breaker)`
 * bounds the whole call to one second, retries inside it, and lets each attempt through the breaker.
 * The result is a policy too, so pipelines nest.
 *
 * Built-in policies hand each other their cancellation directly: a pipeline creates no
 * `AbortController` unless the innermost function reads its `signal`. Any object with
 * `execute(fn, { signal })` can take part.
 *
 * The caller's signal is the caller's: when it aborts, the pipeline rejects at once with its
 * reason, even when `fn` (or a foreign policy) ignores the signal it was given. `fn`'s signal is
 * aborted and the work is left to finish on its own; a `Bulkhead` inside keeps its slot until
 * it does, and a `CircuitBreaker` inside does not count the abort (see its `isFailure`).
 *
 * @example
 * const products = pipeline(timeoutPolicy(1000), retryPolicy({ maxAttempts: 2 }), new CircuitBreaker({ name: 'products' }))
 * const list = await products.execute(({ signal }) => client.get('/products', { signal }))
 */
export function pipeline(...policies: readonly Policy[]): Pipeline {
  return new Pipeline(policies)
}

/** A composition of policies; build it with {@link pipeline}. */
export class Pipeline implements InternalPolicy, ObservablePolicy {
  /** The policies, outermost first. */
  readonly policies: readonly Policy[]

  constructor(policies: readonly Policy[]) {
    this.policies = [...policies]
  }

  /**
   * Subscribes `listener` to every policy inside that has a `listen` method, nested pipelines
   * included; returns one function that unsubscribes it from all of them. The pipeline emits no
   * events of its own: the listener hears its policies'.
   *
   * @example
   * const stop = products.listen((event) => {
   *   if (event.type === 'rejection') metrics.increment(`products_${event.policy}_rejected`)
   * })
   */
  listen(listener: PolicyListener): () => void {
    const stops: Array<() => void> = []
    for (const policy of this.policies) {
      if (isObservable(policy)) {
        stops.push(policy.listen(listener))
      }
    }
    return () => {
      for (const stop of stops) {
        stop()
      }
    }
  }

  /** Runs `fn` through every policy, outermost first. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.runFrom(0, fn, contextFor(options?.signal))
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    return this.runFrom(0, fn, context)
  }

  private runFrom<T>(index: number, fn: ContextOperation<T>, context: Context): Promise<T> {
    const policy = this.policies[index]
    if (policy === undefined) {
      if (!context.abortable) {
        return invoke(fn, context)
      }
      if (context.aborted) {
        return Promise.reject(context.reason)
      }
      // Usually a policy further out has answered the caller already; an empty pipeline, or one
      // whose foreign policy handed fn a signal of its own, has not.
      return context.answered ? invoke(fn, context) : untilAborted(invoke(fn, context), context)
    }
    return runPolicy(policy, (inner) => this.runFrom(index + 1, fn, inner), context)
  }
}

function isObservable(policy: Policy): policy is Policy & ObservablePolicy {
  return typeof (policy as Partial<ObservablePolicy>).listen === 'function'
}
