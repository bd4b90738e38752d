import { type BackoffKind, backoffDelay } from './backoff.js'
import type { Deadline } from './deadline.js'
import { isCircuitOpenError } from './errors/circuit-open-error.js'
import { type RetryStopReason, TooManyRetriesError } from './errors/too-many-retries-error.js'
import { now } from './internal/clock.js'
import { type Context, type ContextOperation, ViewContext, contextFor } from './internal/context.js'
import { type InternalPolicy, invoke, kRun, untilAborted } from './internal/policy.js'
import { sleep } from './internal/sleep.js'
import { type ObservablePolicy, type PolicyListener, PolicyEvents } from './policy-events.js'
import type { RetryBudget } from './retry-budget.js'
import type { ExecuteOptions, Operation } from './types.js'
import { runWithTimeout } from './with-timeout.js'

/** What {@link RetryOptions.onRetry} hears before each pause. */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  readonly attempt: number
  /** Its error. */
  readonly error: unknown
  /** The pause before the next attempt, in milliseconds. */
  readonly delayMs: number
}

/** Options of {@link retry} and {@link retryPolicy}. */
export interface RetryOptions {
  /** Total tries, the first included (not the retries after it). Defaults to 3; at least 1. */
  readonly maxAttempts?: number
  /** A time limit per attempt, in milliseconds. Defaults to none (the deadline, if any, still applies). */
  readonly timeoutMs?: number
  /** The pause between attempts, in milliseconds (the base of exponential backoff). Defaults to 0. */
  readonly intervalMs?: number
  /** `'constant'` (default) or `'exponential'` with full jitter. */
  readonly backoff?: BackoffKind
  /** The cap on an exponential pause, in milliseconds. Defaults to 30 000. */
  readonly maxIntervalMs?: number
  /**
   * Which errors are worth another attempt; others are rethrown at once, untouched. By default every
   * error is, except {@link CircuitOpenError}: retrying a refusal only waits for the same refusal.
   */
  readonly retryIf?: (error: unknown, attempt: number) => boolean
  /** A shared {@link RetryBudget}; when it refuses, retrying stops. */
  readonly budget?: RetryBudget
  /** Aborting it stops at once, mid-attempt or mid-pause, and rejects with its reason. */
  readonly signal?: AbortSignal
  /** Never sleeps past it or starts an attempt after it; each attempt is bounded by what is left. */
  readonly deadline?: Deadline
  /** Hears each failed attempt before the pause. */
  readonly onRetry?: (event: RetryEvent) => void
  /** Hears every attempt, retry and budget refusal: see {@link PolicyEvent}. */
  readonly listener?: PolicyListener
  /** A number in [0, 1) for jitter; `Math.random` by default. */
  readonly random?: () => number
}

/** {@link RetryOptions} with defaults applied. */
interface ResolvedRetry {
  readonly maxAttempts: number
  readonly timeoutMs: number | undefined
  readonly intervalMs: number
  readonly backoff: BackoffKind
  readonly maxIntervalMs: number
  readonly retryIf: (error: unknown, attempt: number) => boolean
  readonly budget: RetryBudget | undefined
  readonly deadline: Deadline | undefined
  readonly onRetry: ((event: RetryEvent) => void) | undefined
  readonly random: (() => number) | undefined
}

const defaultRetryIf = (error: unknown): boolean => !isCircuitOpenError(error)

/**
 * Runs `fn` up to `maxAttempts` times, pausing between attempts, and
 * throws {@link TooManyRetriesError} (carrying every attempt's error) when all fail.
 *
 * Exactly `maxAttempts` calls at most. An abort (of `signal`, or of an outer policy) ends a pause at
 * once and starts no further attempt. A `deadline` bounds each attempt and forbids a pause that
 * would end past it. An error that carries a numeric `retryAfterMs` (a server's `Retry-After`)
 * lengthens the pause to at least that.
 *
 * Retry only idempotent operations, or requests with an idempotency key.
 *
 * @example
 * await retry(({ signal }) => fetch(url, { signal }), { maxAttempts: 3, timeoutMs: 100, intervalMs: 100 })
 */
export function retry<T>(fn: Operation<T>, options: RetryOptions = {}): Promise<T> {
  const resolved = resolveRetry(options)
  const events = options.listener === undefined ? undefined : new PolicyEvents(options.listener)
  return runRetry(fn, resolved, contextFor(options.signal, resolved.deadline), events)
}

/** A policy that retries as {@link retry} does, for {@link pipeline}. */
export function retryPolicy(options: Omit<RetryOptions, 'signal'> = {}): RetryPolicy {
  return new RetryPolicy(options)
}

/** The policy form of {@link retry}; build it with {@link retryPolicy}. */
export class RetryPolicy implements InternalPolicy, ObservablePolicy {
  private readonly options: ResolvedRetry
  private readonly events: PolicyEvents

  constructor(options: Omit<RetryOptions, 'signal'> = {}) {
    this.options = resolveRetry(options)
    this.events = new PolicyEvents(options.listener)
  }

  /** Runs `fn` with retries. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return runRetry(fn, this.options, contextFor(options?.signal, this.options.deadline), this.events)
  }

  listen(listener: PolicyListener): () => void {
    return this.events.listen(listener)
  }

  // The entry point pipelines use (see internal/policy.ts).
  [kRun]<T>(fn: ContextOperation<T>, context: Context): Promise<T> {
    return runRetry(fn, this.options, context, this.events)
  }
}

function resolveRetry(options: RetryOptions): ResolvedRetry {
  const maxAttempts = options.maxAttempts ?? 3
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number >= 1, got ${maxAttempts}`)
  }
  const intervalMs = options.intervalMs ?? 0
  if (!(intervalMs >= 0)) {
    throw new RangeError(`intervalMs must be >= 0, got ${intervalMs}`)
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new RangeError(`timeoutMs must be positive, got ${options.timeoutMs}`)
  }
  return {
    maxAttempts,
    timeoutMs: options.timeoutMs,
    intervalMs,
    backoff: options.backoff ?? 'constant',
    maxIntervalMs: options.maxIntervalMs ?? 30_000,
    retryIf: options.retryIf ?? defaultRetryIf,
    budget: options.budget,
    deadline: options.deadline,
    onRetry: options.onRetry,
    random: options.random,
  }
}

function runRetry<T>(
  fn: ContextOperation<T>,
  options: ResolvedRetry,
  parent: Context,
  events: PolicyEvents | undefined,
): Promise<T> {
  // Whether anyone listens is decided once per call, so that a call's events come whole. The loop
  // that reports is a separate function: carrying its state costs the quiet loop a few ns per call.
  return events?.active === true ? runObservedRetry(fn, options, parent, events) : runQuietRetry(fn, options, parent)
}

async function runQuietRetry<T>(fn: ContextOperation<T>, options: ResolvedRetry, parent: Context): Promise<T> {
  const deadline = options.deadline ?? parent.deadline
  options.budget?.recordRequest()
  let errors: unknown[] | undefined
  for (let attempt = 1; ; attempt++) {
    parent.throwIfAborted()
    try {
      return await runAttempt(fn, options, parent, attempt, deadline)
    } catch (error) {
      // The caller (or an outer policy) gave up: its reason, not this attempt's error, is the answer.
      parent.throwIfAborted()
      const next = nextStep(error, attempt, deadline, options)
      if (next === 'retryIf') {
        throw error
      }
      ;(errors ??= []).push(error)
      if (typeof next !== 'number') {
        throw new TooManyRetriesError(attempt, errors, next)
      }
      options.onRetry?.({ attempt, error, delayMs: next })
      if (next > 0) {
        await sleep(next, parent)
      }
    }
  }
}

/** {@link runQuietRetry}, telling `events` of each attempt, its end, each retry and a budget's refusal. */
async function runObservedRetry<T>(
  fn: ContextOperation<T>,
  options: ResolvedRetry,
  parent: Context,
  events: PolicyEvents,
): Promise<T> {
  const deadline = options.deadline ?? parent.deadline
  options.budget?.recordRequest()
  let errors: unknown[] | undefined
  for (let attempt = 1; ; attempt++) {
    parent.throwIfAborted()
    const startedAt = now()
    events.emit({ type: 'attempt', policy: 'retry', attempt })
    try {
      const value = await runAttempt(fn, options, parent, attempt, deadline)
      events.emit({ type: 'attempt-end', policy: 'retry', attempt, outcome: 'ok', won: true, durationMs: now() - startedAt })
      return value
    } catch (error) {
      const durationMs = now() - startedAt
      if (parent.aborted) {
        events.emit({ type: 'attempt-end', policy: 'retry', attempt, outcome: 'cancelled', won: false, durationMs })
        throw parent.reason
      }
      // Decide before reporting the attempt: it won if its error ends the call.
      const next = nextStep(error, attempt, deadline, options)
      const won = typeof next !== 'number'
      events.emit({ type: 'attempt-end', policy: 'retry', attempt, outcome: 'failed', won, durationMs, error })
      if (next === 'retryIf') {
        throw error
      }
      ;(errors ??= []).push(error)
      if (typeof next !== 'number') {
        const tooMany = new TooManyRetriesError(attempt, errors, next)
        if (next === 'budget') {
          events.emit({ type: 'rejection', policy: 'retry', error: tooMany })
        }
        throw tooMany
      }
      events.emit({ type: 'retry', policy: 'retry', attempt, delayMs: next, error })
      options.onRetry?.({ attempt, error, delayMs: next })
      if (next > 0) {
        await sleep(next, parent)
      }
    }
  }
}

/**
 * After attempt `attempt` failed with `error`: the pause before the next attempt, or why there is
 * none (`'retryIf'`: the error is not worth another attempt and is rethrown as it is). Takes a retry
 * from the budget only when nothing else stops the call.
 */
function nextStep(
  error: unknown,
  attempt: number,
  deadline: Deadline | undefined,
  options: ResolvedRetry,
): RetryStopReason | 'retryIf' | number {
  if (!options.retryIf(error, attempt)) {
    return 'retryIf'
  }
  if (attempt >= options.maxAttempts) {
    return 'attempts'
  }
  const delayMs = pauseBefore(attempt, error, options)
  if (deadline !== undefined && delayMs >= deadline.remainingMs()) {
    return 'deadline'
  }
  if (options.budget !== undefined && !options.budget.tryAcquireRetry()) {
    return 'budget'
  }
  return delayMs
}

function runAttempt<T>(
  fn: ContextOperation<T>,
  options: ResolvedRetry,
  parent: Context,
  attempt: number,
  deadline: Deadline | undefined,
): Promise<T> {
  if (options.timeoutMs !== undefined || deadline !== undefined) {
    const limitMs = options.timeoutMs ?? Infinity
    const context = deadline === parent.deadline ? parent : new ViewContext(parent, parent.attempt, deadline)
    // runWithTimeout applies the tighter of the attempt limit and the deadline.
    return runWithTimeout(fn, limitMs, context, attempt)
  }
  if (parent.abortable && !parent.answered) {
    // Without a time limit, work that ignores its signal would keep `retry` pending after the
    // caller's abort: race it against the caller's signal, and tell the layers inside that the
    // caller is answered, so that they wait for the work (a bulkhead keeps its slot until it ends).
    return untilAborted(invoke(fn, new ViewContext(parent, attempt, deadline, true)), parent)
  }
  // Reuse the caller's context for the first attempt: the common, successful case allocates nothing.
  const context = attempt === parent.attempt ? parent : new ViewContext(parent, attempt, deadline)
  return invoke(fn, context)
}

function pauseBefore(attempt: number, error: unknown, options: ResolvedRetry): number {
  const delay = backoffDelay(attempt, options)
  const retryAfterMs = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs
  return typeof retryAfterMs === 'number' && retryAfterMs > delay && Number.isFinite(retryAfterMs) ? retryAfterMs : delay
}
