/**
 * `@storefront/resilience`: the TypeScript counterpart of Python's `asyncio.wait`,
 * `asyncio.wait_for`, a `retry` helper and a circuit breaker, grown into timeouts, retries with
 * backoff and budgets, circuit breakers, bulkheads, hedging, deadlines and pipelines, with
 * cooperative cancellation through `AbortSignal` everywhere. Zero runtime dependencies.
 *
 * @module
 */
export { AdaptiveLimiter, type AdaptiveLimiterOptions, type LimitChangeListener, type LimitPermit } from './adaptive-limiter.js'
export { AdaptiveThrottle, type AdaptiveThrottleOptions } from './adaptive-throttle.js'
export { type BackoffKind, type BackoffOptions, backoffDelay } from './backoff.js'
export { Bulkhead, type BulkheadOptions } from './bulkhead.js'
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerStats,
  type CircuitState,
  type FailureContext,
  type StateChangeListener,
} from './circuit-breaker.js'
export { DEADLINE_HEADER, Deadline, type DeadlineFromHeaderOptions } from './deadline.js'
export {
  BulkheadRejectedError,
  CircuitOpenError,
  LimitExceededError,
  ResilienceError,
  type RetryStopReason,
  ThrottledError,
  TimeoutError,
  TooManyRetriesError,
  isBulkheadRejectedError,
  isCircuitOpenError,
  isLimitExceededError,
  isResilienceError,
  isThrottledError,
  isTimeoutError,
  isTooManyRetriesError,
} from './errors/index.js'
export { type FallbackCallOptions, type FallbackOptions, FallbackPolicy, fallback, fallbackPolicy } from './fallback.js'
export { HedgePolicy, type HedgeOptions, hedge, hedgePolicy } from './hedge.js'
export { neverAbortedSignal } from './internal/context.js'
export { type AimdOptions, type GradientOptions, type LimitAlgorithm, type VegasOptions } from './limit-algorithm.js'
export { Pipeline, pipeline } from './pipeline.js'
export { type ObservablePolicy, type PolicyEvent, PolicyEvents, type PolicyKind, type PolicyListener } from './policy-events.js'
export { type RetryEvent, type RetryOptions, RetryPolicy, retry, retryPolicy } from './retry.js'
export { RetryBudget, type RetryBudgetOptions, type RetryBudgetStats } from './retry-budget.js'
export { type SettleCalls, type SettleOptions, type SettleOutcome, type SettleResults, settle } from './settle.js'
export { SlidingWindow } from './sliding-window.js'
export type { ExecuteOptions, ExecutionContext, Operation, Policy } from './types.js'
export { TimeoutPolicy, type WithTimeoutOptions, timeoutPolicy, withTimeout } from './with-timeout.js'
