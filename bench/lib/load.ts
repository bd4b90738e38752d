import autocannon from 'autocannon'

/** What one load run measured. */
export interface LoadResult {
  /** Responses per second, autocannon's mean over the run's seconds. */
  readonly requestsPerSecond: number
  /** Responses in all. */
  readonly responses: number
  /** Latency percentiles of the 2xx responses, in ms, from every response's own time (µs resolution). */
  readonly p50Ms: number
  readonly p99Ms: number
  /** Responses whose status was not 2xx. */
  readonly non2xx: number
  /** Connection errors and timeouts. */
  readonly errors: number
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** A full URL on the loopback interface. */
  readonly url: string
  readonly connections: number
  readonly durationS: number
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Runs autocannon in this process: `connections` keep-alive connections, one request in flight on
 * each (pipelining 1), for `durationS` seconds.
 *
 * Latency percentiles are computed here rather than taken from autocannon's histogram, which
 * records whole milliseconds: on loopback most answers take 1-3 ms, where whole milliseconds
 * would make a p99 ratio of 1.5 look like 1 or 2.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationS,
        headers: { ...options.headers },
      },
      (error: unknown, result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
          return
        }
        const sorted = Float64Array.from(latencies).sort()
        resolve({
          requestsPerSecond: result.requests.average,
          responses: result.requests.total,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          non2xx: result.non2xx,
          errors: result.errors,
        })
      },
    )
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) {
        latencies.push(responseTimeMs)
      }
    })
  })
}

/** The nearest-rank percentile of sorted values; NaN when there are none. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) {
    return Number.NaN
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}
