import type { Deadline } from './deadline.js'
import { TimeoutError } from './errors/timeout-error.js'
import { ScopeContext, type Unsubscribe, contextFor } from './internal/context.js'
import { invoke } from './internal/policy.js'
import { cancel, schedule } from './internal/timer-queue.js'
import type { ExecutionContext } from './types.js'

/** How one call of {@link settle} ended. */
export type SettleOutcome<T> =
  | { readonly status: 'fulfilled'; readonly value: T }
  | { readonly status: 'rejected'; readonly reason: unknown }
  | { readonly status: 'timeout' }

/** A record of named calls for {@link settle}. */
export type SettleCalls = Readonly<Record<string, (context: ExecutionContext) => unknown>>

/** The outcome record {@link settle} returns: one outcome per call, under the same names. */
export type SettleResults<C extends SettleCalls> = {
  -readonly [K in keyof C]: SettleOutcome<Awaited<ReturnType<C[K]>>>
}

/** Options of {@link settle}. */
export interface SettleOptions {
  /** How long to wait for all of them, in milliseconds. */
  readonly timeoutMs: number
  /** Aborting it aborts every call still running and rejects with its reason. */
  readonly signal?: AbortSignal
  /** Waits no longer than this either, when it ends sooner than `timeoutMs`. */
  readonly deadline?: Deadline
}

/**
 * `asyncio.wait` with a timeout, over a record of named calls: starts them all at once, waits until
 * every one has finished or `timeoutMs` is up, aborts those still running (their signals carry a
 * {@link TimeoutError}), and returns each one's outcome under its name. Never waits past its
 * timeout, never rejects because a call failed.
 *
 * @example
 * const { products, cart } = await settle({
 *   products: ({ signal }) => getProducts(signal),
 *   cart: ({ signal }) => getCart(userId, signal),
 * }, { timeoutMs: 1000 })
 * if (cart.status !== 'fulfilled') { ... } // degrade
 */
export function settle<C extends SettleCalls>(calls: C, options: SettleOptions): Promise<SettleResults<C>> {
  if (!(options.timeoutMs > 0)) {
    // Like every other option check in the library: a programmer error, thrown at once.
    throw new RangeError(`settle timeoutMs must be positive, got ${options.timeoutMs}`)
  }
  const parent = contextFor(options.signal, options.deadline)
  if (parent.aborted) {
    return Promise.reject(parent.reason)
  }
  let limitMs = options.timeoutMs
  if (options.deadline !== undefined) {
    limitMs = Math.min(limitMs, options.deadline.remainingMs())
  }
  return new Promise<SettleResults<C>>((resolve, reject) => {
    const names = Object.keys(calls)
    // A prototype-less record holds any name: a plain `{}` would read inherited members for calls
    // named `constructor` or `toString` (leaving such a straggler neither aborted nor reported),
    // and `__proto__` would set the prototype instead of a key.
    const outcomes: Record<string, SettleOutcome<unknown> | undefined> = Object.create(null) as Record<
      string,
      SettleOutcome<unknown> | undefined
    >
    const contexts: ScopeContext[] = []
    let pending = names.length
    let done = false
    let unsubscribe: Unsubscribe | undefined

    const finish = (): void => {
      done = true
      // Calls settle on microtasks, so `timer` is always set by the time this runs.
      cancel(timer)
      unsubscribe?.()
    }
    const results = (): SettleResults<C> => {
      // `fromEntries` defines own keys, so a call named `__proto__` comes back as a key too, not as
      // the prototype of the result.
      return Object.fromEntries(
        names.map((name) => [name, outcomes[name] ?? { status: 'timeout' }]),
      ) as SettleResults<C>
    }

    for (const [index, name] of names.entries()) {
      const context = new ScopeContext(parent, 1, options.deadline)
      contexts.push(context)
      const record = (outcome: SettleOutcome<unknown>): void => {
        if (done) {
          return
        }
        outcomes[name] = outcome
        contexts[index]!.dispose()
        if (--pending === 0) {
          finish()
          resolve(results())
        }
      }
      invoke(calls[name]!, context).then(
        (value) => { record({ status: 'fulfilled', value }) },
        (reason: unknown) => { record({ status: 'rejected', reason }) },
      )
    }
    if (pending === 0) {
      resolve(results())
      return
    }

    const timeUp = (reason: unknown, settleWith: (value: SettleResults<C>) => void): void => {
      finish()
      for (const [index, name] of names.entries()) {
        const context = contexts[index]!
        if (outcomes[name] === undefined) {
          context.abort(reason)
        }
        context.dispose()
      }
      settleWith(results())
    }

    const timer = schedule(limitMs, () => {
      if (!done) {
        // Report the budget of the limit that hit: the deadline's when it cut the wait short, as
        // withTimeout and retry do.
        const cutByDeadline = options.deadline !== undefined && limitMs < options.timeoutMs
        timeUp(new TimeoutError(cutByDeadline ? options.deadline.timeoutMs : options.timeoutMs), resolve)
      }
    })
    if (parent.abortable) {
      unsubscribe = parent.onAbort((reason) => {
        if (!done) {
          timeUp(reason, () => { reject(reason) })
        }
      })
    }
  })
}
