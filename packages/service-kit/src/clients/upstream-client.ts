import { type Context, type Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api'
import {
  AdaptiveLimiter,
  AdaptiveThrottle,
  CircuitBreaker,
  DEADLINE_HEADER,
  type Deadline,
  type ExecutionContext,
  type PolicyListener,
  RetryBudget,
  type RetryBudgetStats,
  isLimitExceededError,
  isTooManyRetriesError,
  retry,
} from '@storefront/resilience'
import { Pool } from 'undici'

import { databaseMsFromServerTiming } from '../tracing/database-time.js'
import { kitTracer } from '../tracing/kit-tracer.js'
import { policySpanEvents } from '../tracing/policy-span-events.js'
import { StorefrontAttributes } from '../tracing/span-names.js'
import { isTracing } from '../tracing/start-tracing.js'
import { discard, readJson, readProblem, retryAfterMs } from './read-response.js'
import { ReplicaDiscovery, lookupAll } from './replica-discovery.js'
import { type OutlierDetection, ReplicaSet, type ReplicaStats } from './replica-set.js'
import type { Replica } from './replica.js'
import type {
  UpstreamClientOptions,
  UpstreamOutcomeEvent,
  UpstreamRequestOptions,
  UpstreamResponse,
  UpstreamSendOptions,
  UpstreamThrottleStats,
  UpstreamWriteMethod,
} from './upstream-client-options.js'
import { type DownstreamProblem, UpstreamError } from './upstream-error.js'
import {
  IDEMPOTENT_METHODS,
  countsAgainstDownstream,
  isCallerBudgetAnswer,
  isFailedAnswer,
  isRetryable,
  markCallerBudgetAnswer,
  outcomeOf,
  ownTimeoutError,
  toConnectError,
} from './upstream-policy.js'

/** Everything one logical call needs, whichever public method started it. */
interface CallOptions<T> extends Omit<UpstreamSendOptions<T>, 'body'> {
  /** The body, already serialised once for every attempt. */
  readonly payload: string | undefined
}

/**
 * Per call: the budget sent downstream, the last status seen across attempts (for the outcome
 * event), and the replicas of its attempts.
 */
interface CallState {
  status: number | undefined
  /** The replica of the last attempt: a retry goes elsewhere when it can. */
  previous: Replica | undefined
  /** The replica of the attempt in flight, until its outcome is judged. */
  current: Replica | undefined
  /** The tighter of the caller's deadline and the downstream's own: what `x-request-timeout-ms` carries. */
  readonly budget: Deadline
  /** True when {@link budget} is the caller's, so a 504 for it is the caller's business. */
  readonly callerBudget: boolean
  /** Attempts started so far, for their spans. */
  attempts: number
}

/** One attempt's trace: the context its request carries on, and what the answer said. */
interface AttemptTrace {
  readonly context: Context
  status?: number
  serverTiming?: string | string[] | undefined
}

/** Retried only when worth it: never a 504 that only says the caller's budget was spent. */
function isWorthRetrying(error: unknown): boolean {
  return isRetryable(error) && !isCallerBudgetAnswer(error)
}

/**
 * The outbound HTTP client for one downstream service: a keep-alive undici `Pool` per replica,
 * balancing over the healthy ones with outlier detection (see `ReplicaSet`), one `CircuitBreaker`
 * named after the downstream, and retries bounded by attempts, the caller's deadline and a shared
 * `RetryBudget`. A retry goes to another replica than the attempt that failed whenever one can take
 * it, so a connection the server closed under a call costs a retry, not the call.
 *
 * Every call carries the service token, the remaining budget (`x-request-timeout-ms`, computed
 * per attempt) and the request id. Only idempotent methods and requests with an idempotency key
 * are retried, only on a broken connection or a 500/502/503/504, honouring `Retry-After`.
 * Responses are bounded in size and validated by the caller's `parse`.
 *
 * Each call first passes an `AdaptiveThrottle` (k = 2), which refuses calls locally as the
 * downstream stops accepting them, then each attempt passes an `AdaptiveLimiter` that bounds the
 * attempts in flight to the downstream (see `call` for the order and why).
 *
 * Failures: `UpstreamError` (status, connection, body), `TimeoutError` when the deadline passes,
 * `CircuitOpenError` when the breaker refuses, `ThrottledError` when the throttle refuses,
 * `LimitExceededError` when the concurrency limit is reached (all three refused locally, see
 * `isLocalRefusal`), the caller's abort reason when `signal` aborts.
 * When retries run out, the last attempt's error is thrown (not `TooManyRetriesError`).
 *
 * @example
 * const inventory = new UpstreamClient({ name: 'inventory', url: 'http://127.0.0.1:8001', token: serviceToken })
 * // In a route handler: the request's deadline bounds the call; missing the 1 s of the
 * // downstream's own deadline counts against inventory's breaker.
 * const stock = await inventory.getJson('/inventory?product_ids=1,2', {
 *   deadline: request.deadline,
 *   ownDeadline: Deadline.after(1000),
 *   requestId: request.id,
 *   signal: request.abortSignal,
 *   route: '/inventory',
 *   parse: parseStockItems,
 * })
 */
export class UpstreamClient {
  /** The downstream's name. */
  readonly name: string
  /** The downstream's first configured origin (with a host name, as configured, not resolved). */
  readonly origin: string
  /** The downstream's breaker, for `/ops/breakers` and metrics. */
  readonly breaker: CircuitBreaker
  /** The retry budget shared by every call to this downstream. */
  readonly retryBudget: RetryBudget

  /** Bounds the attempts in flight to the downstream; `undefined` when `concurrency` is `false`. */
  private readonly limiter: AdaptiveLimiter | undefined
  /** Refuses calls locally while the downstream rejects many; `undefined` when `throttle` is `false`. */
  private readonly throttle: AdaptiveThrottle | undefined

  private readonly replicaSet: ReplicaSet
  private readonly discovery: ReplicaDiscovery
  private readonly authorization: string
  private readonly maxResponseBytes: number
  private readonly maxAttempts: number
  private readonly intervalMs: number
  private readonly maxIntervalMs: number
  private readonly onOutcome: ((event: UpstreamOutcomeEvent) => void) | undefined
  /** Tells the trace what the call's retries did; `undefined` in a process without tracing. */
  private readonly policyListener: PolicyListener | undefined

  constructor(options: UpstreamClientOptions) {
    const urls = (typeof options.url === 'string' || options.url instanceof URL ? [options.url] : options.url).map((entry) => new URL(entry))
    for (const url of urls) {
      if (url.pathname !== '/' || url.search !== '' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new RangeError(`UpstreamClient ${options.name}: url must be an http(s) origin, got ${url.href}`)
      }
    }
    if (urls.length === 0) {
      throw new RangeError(`UpstreamClient ${options.name}: url must name at least one origin`)
    }
    const connections = options.connections ?? 16
    const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024
    if (!Number.isInteger(connections) || connections < 1 || !(maxResponseBytes > 0)) {
      throw new RangeError(`UpstreamClient ${options.name}: connections must be a whole number >= 1 and maxResponseBytes positive`)
    }
    const detection = outlierDetection(options)
    this.name = options.name
    this.origin = urls[0]!.origin
    this.authorization = `Bearer ${options.token}`
    this.maxResponseBytes = maxResponseBytes
    this.maxAttempts = options.retry?.maxAttempts ?? 3
    this.intervalMs = options.retry?.intervalMs ?? 25
    this.maxIntervalMs = options.retry?.maxIntervalMs ?? 250
    this.onOutcome = options.onOutcome
    // Pipelining 1: a slow answer must not hold up the requests queued behind it on the socket.
    const open = (origin: string, servername: string | undefined): Pool => new Pool(origin, { connections, pipelining: 1, ...(servername === undefined ? {} : { connect: { servername } }) })
    this.replicaSet = new ReplicaSet(detection, open, () => {
      this.discovery.refreshSoon()
    })
    this.discovery = new ReplicaDiscovery(urls, this.replicaSet, { resolve: options.resolve ?? lookupAll, intervalMs: options.resolveIntervalMs ?? 5000 })
    const replicas = this.replicaSet
    this.breaker = new CircuitBreaker({
      maxFailures: 5,
      windowMs: 10_000,
      resetIntervalMs: 5_000,
      halfOpenMaxCalls: 1,
      ...options.breaker,
      name: options.name,
      // The downstream as a whole: a replica's failure counts only while no other is known to
      // answer. Each attempt's replica is judged before the breaker judges the attempt.
      isFailure: (error, ending) => countsAgainstDownstream(error, ending) && replicas.failingAsAWhole(),
    })
    const budget = options.retryBudget
    this.retryBudget = budget instanceof RetryBudget ? budget : new RetryBudget(budget)
    this.limiter = options.concurrency === false ? undefined : new AdaptiveLimiter({ initial: 256, min: 32, max: 1024, algorithm: 'vegas', ...options.concurrency })
    this.throttle = options.throttle === false
      ? undefined
      : new AdaptiveThrottle({
        k: 2,
        windowMs: 10_000,
        minRequests: 300,
        ...options.throttle,
        // What the breaker counts, for the downstream as a whole (a 4xx is an accept; the caller's
        // abort is neither, a miss of the downstream's own budget a rejection). A refusal by the
        // concurrency limit is this client's doing, never held against the downstream.
        isFailure: (error, ending) => !isLimitExceededError(error) && countsAgainstDownstream(error, ending),
      })
    // What the policies do shows in the trace of the call they do it to: refusals, retries, the
    // breaker's transitions. Without tracing nobody listens, and the policies build no event.
    if (isTracing()) {
      this.policyListener = policySpanEvents
      this.breaker.listen(policySpanEvents)
      this.limiter?.listen(policySpanEvents)
      this.throttle?.listen(policySpanEvents)
    }
  }

  /**
   * The current concurrency limit: attempts the downstream may have in flight from this client at
   * once. `undefined` when `concurrency` is `false`.
   */
  get limit(): number | undefined {
    return this.limiter?.limit
  }

  /** Attempts in flight to the downstream now; `undefined` when `concurrency` is `false`. */
  get inflight(): number | undefined {
    return this.limiter?.inflight
  }

  /** The throttle's counts over its window and its refusal probability now; `undefined` when `throttle` is `false`. */
  get throttleStats(): UpstreamThrottleStats | undefined {
    const throttle = this.throttle
    return throttle === undefined ? undefined : { requests: throttle.requests, accepts: throttle.accepts, probability: throttle.probability }
  }

  /** The retry budget's counts over its window. */
  get retryBudgetStats(): RetryBudgetStats {
    return this.retryBudget.stats
  }

  /** Each replica: its origin, state (`healthy`, `ejected`, `probation`) and counts. */
  get replicaStats(): ReplicaStats[] {
    return this.replicaSet.stats()
  }

  /** Replicas out of rotation now: ejected, or on probation until their probe call succeeds. */
  get ejectedReplicas(): number {
    return this.replicaSet.outOfRotation
  }

  /** A `GET` of `path` (with its query), validated by `options.parse`. Retried on transient failures. */
  get<T>(path: string, options: UpstreamRequestOptions<T>): Promise<UpstreamResponse<T>> {
    return this.call('GET', path, { ...options, payload: undefined })
  }

  /**
   * A `GET` whose only good answer is a 2xx with a JSON body: returns that body, validated by
   * `options.parse`. Any other status fails, and so does an empty body (`UPSTREAM_ERR_BAD_BODY`).
   */
  async getJson<T>(path: string, options: Omit<UpstreamRequestOptions<T>, 'expect'>): Promise<T> {
    // A 2xx answer carries a validated body whenever `parse` is given (see `attempt`).
    return (await this.get(path, options)).body as T
  }

  /**
   * A write: `PUT` and `DELETE` are retried as reads are; `POST` and `PATCH` only with an
   * `idempotencyKey`, so a retry never applies a change twice.
   */
  send<T = undefined>(method: UpstreamWriteMethod, path: string, options: UpstreamSendOptions<T>): Promise<UpstreamResponse<T>> {
    const { body, ...rest } = options
    return this.call(method, path, { ...rest, payload: body === undefined ? undefined : JSON.stringify(body) })
  }

  /** Stops resolving host names and closes every pool once in-flight requests finish. */
  close(): Promise<void> {
    this.discovery.close()
    return this.replicaSet.close()
  }

  private async call<T>(method: string, path: string, options: CallOptions<T>): Promise<UpstreamResponse<T>> {
    if (!path.startsWith('/')) {
      throw new RangeError(`UpstreamClient ${this.name}: path must start with "/", got ${path}`)
    }
    const startedAt = this.onOutcome === undefined ? 0 : performance.now()
    const own = options.ownDeadline
    // Which budget runs out first is fixed when the call starts; a tie is the caller's.
    const callerBudget = own === undefined || options.deadline.expiresAt <= own.expiresAt
    const state: CallState = { status: undefined, previous: undefined, current: undefined, budget: callerBudget ? options.deadline : own, callerBudget, attempts: 0 }
    const retryable = IDEMPOTENT_METHODS.has(method) || options.idempotencyKey !== undefined
    const attempt = ({ signal }: ExecutionContext): Promise<UpstreamResponse<T>> => this.attempt(method, path, options, signal, state)
    const scope = callerBudget ? undefined : new OwnBudgetScope(own, options.signal, state, this.replicaSet)
    const signal = scope?.signal ?? options.signal
    // The stack, outermost first: throttle, retry, limiter, breaker, attempt.
    // - The throttle judges logical calls, so a refused call costs nothing: no attempt, no retry,
    //   no slot. It stands aside while the breaker is not closed: the breaker is refusing already,
    //   its refusals say nothing about the downstream, and its half-open probe must reach it.
    // - Retry outside the breaker: each attempt is judged by the breaker, and an open circuit
    //   ends the retrying at once (retry's default refuses to retry a CircuitOpenError). The
    //   caller's deadline bounds the retrying; the downstream's own budget, when it is the
    //   tighter, ends the call through the signal with an error that the breaker counts.
    // - The limiter is per attempt: it measures what the downstream feels (requests in flight and
    //   their latency), not the pauses between retries. A refusal is not retried, and the breaker
    //   never hears of it (the downstream was not called).
    const attempts = (): Promise<UpstreamResponse<T>> => retry(({ signal: attemptSignal }) => this.limited(attempt, attemptSignal), {
      maxAttempts: retryable ? this.maxAttempts : 1,
      backoff: 'exponential',
      intervalMs: this.intervalMs,
      maxIntervalMs: this.maxIntervalMs,
      retryIf: isWorthRetrying,
      budget: this.retryBudget,
      deadline: options.deadline,
      ...(this.policyListener === undefined ? {} : { listener: this.policyListener }),
      ...(signal === undefined ? {} : { signal }),
    }).catch((caught: unknown) => {
      // The caller wants the reason the last attempt failed, not the retry loop's wrapper.
      throw isTooManyRetriesError(caught) ? caught.cause : caught
    })
    try {
      const throttle = this.throttle
      const response = throttle === undefined || this.breaker.state !== 'closed'
        ? await attempts()
        : await throttle.execute(attempts, signal === undefined ? undefined : { signal })
      this.report(method, options, state, 'ok', startedAt)
      return response
    } catch (error) {
      this.report(method, options, state, outcomeOf(error, options.signal), startedAt)
      throw error
    } finally {
      scope?.close()
    }
  }

  /** One attempt through the breaker, within the concurrency limit when there is one. */
  private limited<T>(attempt: (context: ExecutionContext) => Promise<UpstreamResponse<T>>, signal: AbortSignal): Promise<UpstreamResponse<T>> {
    const limiter = this.limiter
    const breaker = this.breaker
    if (limiter === undefined) {
      return breaker.execute(attempt, { signal })
    }
    return limiter.execute(({ signal: limitedSignal }) => breaker.execute(attempt, { signal: limitedSignal }), { signal })
  }

  /**
   * One attempt on one replica, and the replica's verdict: an answer, a failure (the breaker's
   * kind), or none when the caller's deadline or abort cut it short. A miss of the downstream's own
   * budget is judged when it happens, by `OwnBudgetScope`, before the breaker hears of it.
   */
  private async attempt<T>(method: string, path: string, options: CallOptions<T>, signal: AbortSignal, state: CallState): Promise<UpstreamResponse<T>> {
    const replica = this.replicaSet.pick(state.previous) ?? await this.firstReplica()
    state.previous = replica
    state.current = replica
    state.attempts++
    const parent = context.active()
    const span = attemptSpanUnder(parent, `${this.name} ${method} ${options.route ?? path.split('?')[0]!}`)
    if (span?.isRecording() === true) {
      span.setAttributes({
        [StorefrontAttributes.DOWNSTREAM]: this.name,
        [StorefrontAttributes.ATTEMPT]: state.attempts,
        'http.request.method': method,
        'url.full': `${replica.origin}${path}`,
      })
      if (options.hedgeCopy !== undefined) {
        span.setAttribute(StorefrontAttributes.HEDGE_COPY, options.hedgeCopy)
      }
    }
    const attemptTrace: AttemptTrace = { context: span === undefined ? parent : trace.setSpan(parent, span) }
    try {
      const response = await this.exchange(replica.pool, method, path, options, signal, state, attemptTrace)
      if (state.current === replica) {
        this.replicaSet.succeeded(replica)
      }
      endAttemptSpan(span, attemptTrace, undefined, signal)
      return response
    } catch (error) {
      endAttemptSpan(span, attemptTrace, error, signal)
      if (state.current === replica) {
        if (signal.aborted) {
          this.replicaSet.abandoned(replica)
        } else if (isFailedAnswer(error)) {
          this.replicaSet.failed(replica)
        } else {
          this.replicaSet.succeeded(replica)
        }
      }
      throw error
    } finally {
      this.replicaSet.finished(replica)
      state.current = undefined
    }
  }

  /** A replica once the first resolution of a host name is over; fails when the name has no address. */
  private async firstReplica(): Promise<Replica> {
    this.discovery.refreshSoon()
    await this.discovery.ready
    const replica = this.replicaSet.pick()
    if (replica === undefined) {
      throw new UpstreamError('UPSTREAM_ERR_CONNECT', `${this.name} has no address to call`, { downstream: this.name })
    }
    return replica
  }

  private async exchange<T>(pool: Pool, method: string, path: string, options: CallOptions<T>, signal: AbortSignal, state: CallState, attemptTrace: AttemptTrace): Promise<UpstreamResponse<T>> {
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/json',
      // Per attempt: a retry after a pause carries what is left, not what was left at the start.
      [DEADLINE_HEADER]: state.budget.toHeader(),
    }
    if (options.requestId !== undefined) {
      headers['x-request-id'] = options.requestId
    }
    if (options.idempotencyKey !== undefined) {
      headers['idempotency-key'] = options.idempotencyKey
    }
    if (options.payload !== undefined) {
      headers['content-type'] = 'application/json'
    }
    // traceparent (and tracestate): the downstream's server span is this attempt's child.
    propagation.inject(attemptTrace.context, headers)
    try {
      const response = await pool.request({ path, method, headers, body: options.payload ?? null, signal })
      const status = response.statusCode
      state.status = status
      attemptTrace.status = status
      attemptTrace.serverTiming = response.headers['server-timing']
      const expected = options.expect === undefined ? status >= 200 && status < 300 : options.expect.includes(status)
      if (!expected || status < 200 || status >= 300) {
        let problem: DownstreamProblem | undefined
        if (!expected && status >= 400 && status < 500) {
          problem = await readProblem(response.body, { downstream: this.name, contentType: response.headers['content-type'], contentLength: response.headers['content-length'] })
        } else {
          await discard(response.body)
        }
        if (!expected) {
          const error = new UpstreamError('UPSTREAM_ERR_STATUS', `${this.name} answered ${status}`, {
            downstream: this.name,
            status,
            retryAfterMs: status === 503 || status === 429 ? retryAfterMs(response.headers['retry-after']) : undefined,
            problem,
          })
          throw status === 504 && state.callerBudget ? markCallerBudgetAnswer(error) : error
        }
        return { status, headers: response.headers, body: undefined }
      }
      const value = await readJson(response.body, {
        downstream: this.name,
        maxBytes: this.maxResponseBytes,
        contentType: response.headers['content-type'],
        contentLength: response.headers['content-length'],
      })
      if (options.parse === undefined) {
        return { status, headers: response.headers, body: undefined }
      }
      if (value === undefined) {
        // A body was expected: an empty 2xx must not pass for an empty list.
        throw new UpstreamError('UPSTREAM_ERR_BAD_BODY', `${this.name} answered ${status} with no body`, { downstream: this.name })
      }
      return { status, headers: response.headers, body: this.validate(value, options.parse) }
    } catch (error) {
      throw toConnectError(error, this.name)
    }
  }

  private validate<T>(value: unknown, parse: (value: unknown) => T): T {
    try {
      return parse(value)
    } catch (error) {
      throw new UpstreamError('UPSTREAM_ERR_BAD_BODY', `${this.name} answered with a body of the wrong shape`, { downstream: this.name, cause: error })
    }
  }

  private report<T>(method: string, options: CallOptions<T>, state: CallState, outcome: UpstreamOutcomeEvent['outcome'], startedAt: number): void {
    const onOutcome = this.onOutcome
    if (onOutcome === undefined) {
      return
    }
    const event: UpstreamOutcomeEvent = {
      downstream: this.name,
      route: options.route ?? 'unlabelled',
      method,
      ...(state.status === undefined ? {} : { status: state.status }),
      outcome,
      durationMs: performance.now() - startedAt,
    }
    try {
      onOutcome(event)
    } catch {
      // Metrics must never change the answer of a call.
    }
  }
}

/**
 * An attempt's client span, or none under a request of this process that is not recorded: the
 * sampler would drop the attempt's span too (a trace is recorded here whole or not at all), so it
 * is not made, and the downstream carries on the request's own trace and span ids.
 */
function attemptSpanUnder(parent: Context, name: string): Span | undefined {
  const request = trace.getSpan(parent)
  if (request !== undefined && !request.isRecording() && !request.spanContext().isRemote) {
    return undefined
  }
  return kitTracer().startSpan(name, { kind: SpanKind.CLIENT }, parent)
}

/**
 * Ends an attempt's client span: the status it got (from the call's state, which a failed answer
 * also sets), the database time the downstream reported, whether its answer is the call's, and
 * why it failed. An attempt cut short by its caller (a hedge that lost, a page that gave up) did
 * not win and is no error of the downstream's.
 */
function endAttemptSpan(span: Span | undefined, answer: AttemptTrace, error: unknown, signal: AbortSignal): void {
  if (span === undefined) {
    return
  }
  if (span.isRecording()) {
    if (answer.status !== undefined) {
      span.setAttribute('http.response.status_code', answer.status)
    }
    const dbMs = databaseMsFromServerTiming(answer.serverTiming)
    if (dbMs !== undefined) {
      span.setAttribute(StorefrontAttributes.DB_MS, dbMs)
    }
    span.setAttribute(StorefrontAttributes.WON, error === undefined && !signal.aborted)
    if (error !== undefined) {
      const cancelled = signal.aborted
      span.setAttribute('error.type', cancelled ? 'cancelled' : errorTypeOf(error))
      span.setStatus({ code: SpanStatusCode.ERROR, message: cancelled ? 'cancelled by the caller' : error instanceof Error ? error.message : errorTypeOf(error) })
    }
  }
  span.end()
}

function errorTypeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : error instanceof Error ? error.name : typeof error
}

/** The outlier detection settings with their defaults, checked. */
function outlierDetection(options: UpstreamClientOptions): OutlierDetection {
  const given = options.outlierDetection
  const detection: OutlierDetection = {
    consecutiveFailures: given?.consecutiveFailures ?? 5,
    baseEjectionMs: given?.baseEjectionMs ?? 5000,
    maxEjectionMs: given?.maxEjectionMs ?? 60_000,
    maxEjectedPercent: given?.maxEjectedPercent ?? 50,
  }
  const { consecutiveFailures, baseEjectionMs, maxEjectionMs, maxEjectedPercent } = detection
  if (!Number.isInteger(consecutiveFailures) || consecutiveFailures < 1 || !(baseEjectionMs > 0) || !(maxEjectionMs >= baseEjectionMs) || !(maxEjectedPercent >= 0 && maxEjectedPercent <= 100)) {
    throw new RangeError(`UpstreamClient ${options.name}: outlierDetection needs consecutiveFailures >= 1, 0 < baseEjectionMs <= maxEjectionMs and maxEjectedPercent in 0..100`)
  }
  return detection
}

/**
 * The signal of a call whose own budget runs out before the caller's deadline: aborted with the
 * caller's reason when the caller aborts, and with a counted {@link ownTimeoutError} when the
 * downstream's own budget passes, once the replica of the attempt in flight has been judged failed
 * (so the breaker, which judges the abort at once, sees it). Watches the budget on the library's
 * shared timer.
 */
class OwnBudgetScope {
  private readonly controller = new AbortController()
  private readonly stopWatching: () => void
  private readonly caller: AbortSignal | undefined
  private readonly onCallerAbort: () => void

  constructor(own: Deadline, caller: AbortSignal | undefined, state: CallState, replicas: ReplicaSet) {
    const controller = this.controller
    this.caller = caller
    this.onCallerAbort = () => {
      controller.abort(caller?.reason)
    }
    if (caller?.aborted === true) {
      controller.abort(caller.reason)
    } else {
      caller?.addEventListener('abort', this.onCallerAbort, { once: true })
    }
    this.stopWatching = own.onExpired(() => {
      const current = state.current
      if (current !== undefined) {
        state.current = undefined
        replicas.failed(current)
      }
      controller.abort(ownTimeoutError(own.timeoutMs))
    })
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  close(): void {
    this.stopWatching()
    this.caller?.removeEventListener('abort', this.onCallerAbort)
  }
}
