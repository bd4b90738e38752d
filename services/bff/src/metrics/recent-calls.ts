import type { UpstreamOutcomeEvent } from '@storefront/service-kit/clients'

/** One second of calls to one downstream. */
interface SecondBucket {
  /** Whole seconds since the epoch; a bucket of an older second is stale and reused. */
  second: number
  calls: number
  failures: number
  /** Latencies in ms, at most {@link MAX_SAMPLES_PER_SECOND} (a uniform sample past that). */
  latencies: number[]
}

/** The figures of a stretch of time, as the operations dashboard shows them. */
export interface CallFigures {
  /** Calls per second. */
  readonly rate_per_s: number
  /** Failed calls (error, timeout, open circuit) over all calls; 0 when there were none. */
  readonly error_rate: number
  /** Latency quantiles in ms; null when there were no calls. */
  readonly p50_ms: number | null
  readonly p99_ms: number | null
}

/** One point of the dashboard's sparkline. */
export interface CallPoint extends CallFigures {
  /** The second it covers, in ms since the epoch. */
  readonly t: number
}

const MAX_SAMPLES_PER_SECOND = 512

/**
 * The last minute of one downstream's calls, second by second: what the operations dashboard
 * draws. Kept in the BFF's memory (60 small buckets) so the dashboard needs no Prometheus server;
 * `/metrics` has the same calls as counters and histograms for a real one.
 *
 * Calls the BFF itself cancelled (`aborted`: stragglers of an answered page) are not counted.
 */
export class RecentCalls {
  readonly #buckets: SecondBucket[]
  readonly #now: () => number

  constructor(seconds = 60, now: () => number = Date.now) {
    this.#buckets = Array.from({ length: seconds }, () => ({ second: -1, calls: 0, failures: 0, latencies: [] }))
    this.#now = now
  }

  /** Records one finished call. */
  record(event: UpstreamOutcomeEvent): void {
    if (event.outcome === 'aborted') {
      return
    }
    const bucket = this.#bucketFor(Math.floor(this.#now() / 1000))
    bucket.calls++
    if (event.outcome !== 'ok') {
      bucket.failures++
    }
    if (bucket.latencies.length < MAX_SAMPLES_PER_SECOND) {
      bucket.latencies.push(event.durationMs)
    } else {
      // Reservoir sampling keeps the sample uniform however busy the second was.
      const slot = Math.floor(Math.random() * bucket.calls)
      if (slot < MAX_SAMPLES_PER_SECOND) {
        bucket.latencies[slot] = event.durationMs
      }
    }
  }

  /** The figures of the last `seconds` complete and current seconds together. */
  summary(seconds: number): CallFigures {
    const now = Math.floor(this.#now() / 1000)
    const buckets = this.#buckets.filter((bucket) => bucket.second > now - seconds && bucket.second <= now)
    return figures(buckets, seconds)
  }

  /** One point per second, oldest first, for the last minute (empty seconds included). */
  series(): CallPoint[] {
    const now = Math.floor(this.#now() / 1000)
    const points: CallPoint[] = []
    for (let second = now - this.#buckets.length + 1; second <= now; second++) {
      const bucket = this.#buckets[second % this.#buckets.length]!
      points.push({ t: second * 1000, ...figures(bucket.second === second ? [bucket] : [], 1) })
    }
    return points
  }

  #bucketFor(second: number): SecondBucket {
    const bucket = this.#buckets[second % this.#buckets.length]!
    if (bucket.second !== second) {
      bucket.second = second
      bucket.calls = 0
      bucket.failures = 0
      bucket.latencies = []
    }
    return bucket
  }
}

function figures(buckets: readonly SecondBucket[], seconds: number): CallFigures {
  let calls = 0
  let failures = 0
  const latencies: number[] = []
  for (const bucket of buckets) {
    calls += bucket.calls
    failures += bucket.failures
    latencies.push(...bucket.latencies)
  }
  latencies.sort((a, b) => a - b)
  return {
    rate_per_s: calls / seconds,
    error_rate: calls === 0 ? 0 : failures / calls,
    p50_ms: quantile(latencies, 0.5),
    p99_ms: quantile(latencies, 0.99),
  }
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) {
    return null
  }
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return Math.round(value * 100) / 100
}
