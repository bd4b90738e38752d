import type { AdaptiveLimiterOptions, AdaptiveThrottleOptions, CircuitBreakerOptions, Deadline, RetryBudget, RetryBudgetOptions } from '@storefront/resilience'
import type { Dispatcher } from 'undici'

import type { UpstreamOutcome } from './upstream-policy.js'

/** What {@link UpstreamClientOptions.onOutcome} hears once per logical call (not per attempt). */
export interface UpstreamOutcomeEvent {
  /** The downstream's name. */
  readonly downstream: string
  /** The route label the caller passed (a path pattern such as `/products/:id`), never the raw URL. */
  readonly route: string
  /** The HTTP method. */
  readonly method: string
  /** The status of the last answer, when there was one. */
  readonly status?: number
  /** How the call ended. */
  readonly outcome: UpstreamOutcome
  /** The whole call, retries and pauses included, in milliseconds. */
  readonly durationMs: number
}

/** What {@link UpstreamClient.throttleStats} reports: the throttle's counts over its window. */
export interface UpstreamThrottleStats {
  /** Calls counted over the window, refused ones included. */
  readonly requests: number
  /** Calls the downstream accepted (answered, even with a 4xx) over the window. */
  readonly accepts: number
  /** The probability that the next call is refused locally, in [0, 1). */
  readonly probability: number
}

/** Retry settings of an {@link UpstreamClient}; retrying applies only to idempotent or keyed requests. */
export interface UpstreamRetryOptions {
  /** Total tries, the first included. Defaults to 3. */
  readonly maxAttempts?: number
  /** The base of the exponential backoff (full jitter), in milliseconds. Defaults to 25. */
  readonly intervalMs?: number
  /** The cap on one pause, in milliseconds. Defaults to 250. */
  readonly maxIntervalMs?: number
}

/**
 * Outlier detection of an {@link UpstreamClient} with several replicas: when a replica is taken out
 * of rotation, for how long, and how many may be out at once.
 */
export interface OutlierDetectionOptions {
  /**
   * Failed calls in a row (a broken connection, a 5xx, a bad body, a miss of `ownDeadline`; never
   * the caller's deadline or abort) that eject a replica. Defaults to 5, as Envoy's `consecutive_5xx`.
   */
  readonly consecutiveFailures?: number
  /**
   * How long the first ejection lasts, in milliseconds; the nth ejection in a row lasts n times as
   * long. One is forgiven for each such period the replica then stays in rotation. Defaults to 5000.
   */
  readonly baseEjectionMs?: number
  /** The longest ejection, in milliseconds. Defaults to 60 000. */
  readonly maxEjectionMs?: number
  /**
   * The most replicas out of rotation at once, in percent of them, rounded down: at 50, one of two
   * or three, two of four, and never the only one. Defaults to 50.
   */
  readonly maxEjectedPercent?: number
}

/** Options of {@link UpstreamClient}: one client per downstream. */
export interface UpstreamClientOptions {
  /** The downstream's name (`products`, `inventory`, …): the breaker's name and the metrics label. */
  readonly name: string
  /**
   * The downstream's origin, e.g. `http://127.0.0.1:8000`, or the origins of its replicas; any path
   * is refused. A host that is a name (not an IP address, nor `localhost`) stands for every address
   * it resolves to, resolved again every `resolveIntervalMs` while running.
   */
  readonly url: string | URL | readonly (string | URL)[]
  /** The service token, sent as `authorization: Bearer <token>` on every call. */
  readonly token: string
  /** Keep-alive connections in each replica's pool. Defaults to 16. */
  readonly connections?: number
  /** The largest response body read, in bytes; a bigger one is a failure. Defaults to 1 MiB. */
  readonly maxResponseBytes?: number
  /**
   * Breaker settings. Defaults: `maxFailures` 5 in `windowMs` 10 000, `resetIntervalMs` 5 000,
   * `halfOpenMaxCalls` 1. The name and what counts as a failure are fixed by the client: one
   * breaker for the whole downstream, counting a failure only while no replica is known to answer
   * (each replica is out of rotation or failed its last call), so one replica dying never opens it.
   */
  readonly breaker?: Omit<CircuitBreakerOptions, 'name' | 'isFailure'>
  /**
   * The adaptive concurrency limit on attempts in flight to the downstream (an `AdaptiveLimiter`,
   * Vegas by default), or `false` for none. Defaults: `initial` 256, `min` 32, `max` 1024: above
   * what one caller sends under normal load (a 10 000-product page sends 100 inventory calls at
   * once), so the limit only bites when calls pile up on a downstream that slows down under them. An attempt past the limit fails at once with `LimitExceededError`.
   */
  readonly concurrency?: AdaptiveLimiterOptions | false
  /**
   * Client-side throttling of calls (an `AdaptiveThrottle`), or `false` for none. Defaults: `k` 2,
   * `windowMs` 10 000, `minRequests` 300 (30 a second over the window): below that the breaker and
   * the retry budget already protect the downstream, and a burst of failures from one busy page
   * must not refuse the next pages; the throttle is for sustained traffic into a failing downstream. What counts as a rejection is fixed by the client (as for the breaker). A
   * refused call fails at once with `ThrottledError`, without being sent.
   */
  readonly throttle?: Omit<AdaptiveThrottleOptions, 'isFailure'> | false
  /** Retry settings; see {@link UpstreamRetryOptions}. */
  readonly retry?: UpstreamRetryOptions
  /**
   * The retry budget shared by every call to this downstream, or its options. Defaults to the
   * library's (`ratio` 0.2, `minPerSecond` 10, `windowMs` 10 000).
   */
  readonly retryBudget?: RetryBudget | RetryBudgetOptions
  /** Outlier detection over the replicas; see {@link OutlierDetectionOptions}. */
  readonly outlierDetection?: OutlierDetectionOptions
  /**
   * How often host names in `url` are resolved again, in milliseconds. Defaults to 5000 (Envoy's
   * `dns_refresh_rate`). An ejection also asks for a resolution, at most once a second.
   */
  readonly resolveIntervalMs?: number
  /** Resolves a host name to its addresses. Defaults to `node:dns` `lookup` with `all: true`. */
  readonly resolve?: (hostname: string) => Promise<readonly string[]>
  /** Hears every logical call once, e.g. to feed prom-client. It must not throw; if it does, the error is dropped. */
  readonly onOutcome?: (event: UpstreamOutcomeEvent) => void
}

/** Options of {@link UpstreamClient.get}. */
export interface UpstreamRequestOptions<T> {
  /**
   * The caller's deadline (e.g. the incoming request's): the call is aborted when it passes. Running
   * out of it is the caller's business, never a failure of the downstream.
   */
  readonly deadline: Deadline
  /**
   * The downstream's own deadline for this call, retries included (e.g. `PRODUCTS_TIMEOUT_MS` from
   * when the page started, shared by every call of that window): past it the call fails with a
   * `TimeoutError` that counts against the downstream's breaker. The tighter of this and `deadline`
   * travels as `x-request-timeout-ms`. Unset: only `deadline` bounds the call.
   */
  readonly ownDeadline?: Deadline
  /**
   * Validates the parsed JSON of a 2xx answer and returns it typed; it must throw on a wrong shape
   * (that is a failure, `UPSTREAM_ERR_BAD_BODY`). Downstream JSON is never trusted as is.
   */
  readonly parse: (value: unknown) => T
  /** The metrics label: a path pattern such as `/products/:id`. Defaults to `unlabelled`. */
  readonly route?: string
  /** Sent as `x-request-id`. */
  readonly requestId?: string
  /**
   * Which copy of a hedged call this is, from 1, when the caller hedges: its attempts' spans say so
   * (`storefront.hedge_copy`), since each copy is a call of its own.
   */
  readonly hedgeCopy?: number
  /** The caller's signal (e.g. the incoming request's): aborting it aborts the call, with its reason. */
  readonly signal?: AbortSignal
  /**
   * Statuses that count as answers. Defaults to every 2xx. Only a 2xx body is read and parsed; an
   * expected non-2xx status (a 404 that means "none") comes back with `body: undefined`.
   */
  readonly expect?: readonly number[]
}

/** Options of {@link UpstreamClient.send}. */
export interface UpstreamSendOptions<T> extends Omit<UpstreamRequestOptions<T>, 'parse'> {
  /** The JSON body. */
  readonly body?: unknown
  /** Sent as `Idempotency-Key`; makes a POST safe to retry. */
  readonly idempotencyKey?: string
  /** As for {@link UpstreamRequestOptions.parse}; without it a 2xx body is still read (bounded, must be JSON) and then dropped. */
  readonly parse?: (value: unknown) => T
}

/** Methods {@link UpstreamClient.send} accepts. */
export type UpstreamWriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Response headers as undici gives them: lower-case names. */
export type UpstreamHeaders = Dispatcher.ResponseData['headers']

/** A downstream's answer: a status in `expect`, and a validated body (absent when empty or not 2xx). */
export interface UpstreamResponse<T> {
  readonly status: number
  readonly headers: UpstreamHeaders
  readonly body: T | undefined
}
