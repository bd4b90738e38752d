import type { CircuitState } from '@storefront/resilience'
import type { UpstreamClient, UpstreamOutcomeEvent } from '@storefront/service-kit/clients'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

import { RecentCalls } from './recent-calls.js'

/** `bff_downstream_breaker_state`'s values: 0 closed, 1 half-open, 2 open (higher is worse). */
const BREAKER_STATE_VALUE: Readonly<Record<CircuitState, number>> = { 'closed': 0, 'half-open': 1, 'open': 2 }

type CallLabel = 'downstream' | 'route' | 'method' | 'outcome'

/**
 * The BFF's view of each downstream, for `/metrics`: calls by outcome, their latency (retries
 * included, as the page felt it), breaker state and transitions, replicas out of rotation, and
 * retry-budget use, the adaptive concurrency limit and calls in flight, and the throttle's refusal probability. Built before
 * the clients (they report into it) and attached to the app's registry once the app has one.
 */
export class DownstreamMetrics {
  readonly #calls = new Counter({
    name: 'bff_downstream_requests_total',
    help: 'Calls to each downstream, by route, method and outcome (ok, error, timeout, circuit_open, aborted).',
    labelNames: ['downstream', 'route', 'method', 'outcome'] as const,
    registers: [],
  })
  readonly #duration = new Histogram({
    name: 'bff_downstream_request_duration_seconds',
    help: 'Time of each downstream call, retries included, by route, method and outcome.',
    labelNames: ['downstream', 'route', 'method', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [],
  })
  readonly #transitions = new Counter({
    name: 'bff_downstream_breaker_transitions_total',
    help: 'Breaker state changes of each downstream, by the state entered.',
    labelNames: ['downstream', 'state'] as const,
    registers: [],
  })
  readonly #hedges = new Counter({
    name: 'bff_inventory_hedges_total',
    help: 'Extra copies of inventory chunk calls started because the first was slow.',
    registers: [],
  })
  readonly #recent = new Map<string, RecentCalls>()
  // Cached labelled children: prom-client hashes label values on every call otherwise.
  readonly #series = new Map<string, { count: Counter.Internal; time: Histogram.Internal<CallLabel> }>()

  /** Records one finished call; pass it as the clients' `onOutcome`. */
  readonly record = (event: UpstreamOutcomeEvent): void => {
    const key = `${event.downstream} ${event.method} ${event.outcome} ${event.route}`
    let children = this.#series.get(key)
    if (children === undefined) {
      const labels = [event.downstream, event.route, event.method, event.outcome] as const
      children = { count: this.#calls.labels(...labels), time: this.#duration.labels(...labels) }
      this.#series.set(key, children)
    }
    children.count.inc()
    children.time.observe(event.durationMs / 1000)
    this.recentCalls(event.downstream).record(event)
  }

  /** The last minute of calls to `downstream`, for the operations dashboard. */
  recentCalls(downstream: string): RecentCalls {
    let recent = this.#recent.get(downstream)
    if (recent === undefined) {
      recent = new RecentCalls()
      this.#recent.set(downstream, recent)
    }
    return recent
  }

  /** Counts one hedged inventory call. */
  hedged(): void {
    this.#hedges.inc()
  }

  /** Adds these series, plus breaker state, ejected replicas and retry budget read at scrape time, to `registry`. */
  attach(registry: Registry, clients: readonly UpstreamClient[]): void {
    registry.registerMetric(this.#calls)
    registry.registerMetric(this.#duration)
    registry.registerMetric(this.#transitions)
    registry.registerMetric(this.#hedges)
    for (const client of clients) {
      client.breaker.onStateChange((state) => {
        this.#transitions.labels(client.name, state).inc()
      })
    }
    /** A gauge with one series per downstream, read from its client at scrape time. */
    const perDownstream = (name: string, help: string, value: (client: UpstreamClient) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: ['downstream'] as const,
        registers: [registry],
        collect() {
          for (const client of clients) {
            // A client without a limit or throttle has no series for it.
            const current = value(client)
            if (current !== undefined) {
              this.labels(client.name).set(current)
            }
          }
        },
      })
    }
    perDownstream('bff_downstream_breaker_state', 'Breaker state of each downstream: 0 closed, 1 half-open, 2 open.', (client) => BREAKER_STATE_VALUE[client.breaker.state])
    perDownstream('bff_downstream_replicas_ejected', 'Replicas of each downstream out of rotation: ejected by outlier detection, or on probation until a probe call succeeds.', (client) => client.ejectedReplicas)
    perDownstream('bff_downstream_concurrency_limit', 'Adaptive concurrency limit of each downstream: attempts it may have in flight from this BFF.', (client) => client.limit)
    perDownstream('bff_downstream_inflight', 'Attempts in flight to each downstream now.', (client) => client.inflight)
    perDownstream('bff_downstream_throttle_probability', 'Probability that the client-side throttle refuses the next call to each downstream, 0 to 1.', (client) => client.throttleStats?.probability)
    perDownstream('bff_downstream_retries_recent', 'Retries each downstream\'s retry budget allowed over its window.', (client) => client.retryBudgetStats.retries)
  }
}
