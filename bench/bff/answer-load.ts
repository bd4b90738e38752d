import autocannon from 'autocannon'

import type { LoadOptions } from '../lib/load.js'

/** Names an answer for counting: its status, and for a page whether and why it is degraded. */
export type AnswerClassifier = (status: number, body: string, headers: Readonly<Record<string, unknown>>) => string

/** Options of {@link runAnswerLoad}. */
export interface AnswerLoadOptions extends LoadOptions {
  readonly classify: AnswerClassifier
  /** Stops the run early (Ctrl-C); what was measured until then is returned. */
  readonly signal?: AbortSignal
}

/** What one run measured, every answer included. */
export interface AnswerLoadResult {
  /** Answers per second, autocannon's mean over the run's seconds. */
  readonly requestsPerSecond: number
  readonly answers: number
  /** Latency percentiles over every answer whatever its status, in ms, from each answer's own time (µs resolution). */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  /** How many answers got each label of the classifier. */
  readonly byLabel: ReadonlyMap<string, number>
  /** The latencies of the answers of each label, sorted, in ms. */
  readonly latenciesByLabel: ReadonlyMap<string, Float64Array>
  /** Connection errors and timeouts. */
  readonly errors: number
}

/**
 * Runs autocannon in this process like the services benchmark's `runLoad` (keep-alive
 * connections, pipelining 1, µs latencies), but keeps every answer rather than the 2xx ones: a
 * BFF under faults answers 503 by design, and how fast it does so is the figure wanted. Each
 * answer is also passed to `classify`, so a run can count degraded pages by reason.
 */
export function runAnswerLoad(options: AnswerLoadOptions): Promise<AnswerLoadResult> {
  const latencies: number[] = []
  const labelled = new Map<string, number[]>()
  // autocannon calls a request's onResponse and then, synchronously on the same client, emits
  // 'response' for the same answer: the label set by the first is the one the second reads.
  let label = ''
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationS,
        headers: { ...options.headers },
        requests: [
          {
            method: 'GET',
            onResponse: (status, body, _context, headers) => {
              label = options.classify(status, body, headers ?? {})
            },
          },
        ],
      },
      (error: unknown, result) => {
        options.signal?.removeEventListener('abort', stop)
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
          return
        }
        const sorted = Float64Array.from(latencies).sort()
        const latenciesByLabel = new Map([...labelled].map(([name, values]) => [name, Float64Array.from(values).sort()]))
        resolve({
          requestsPerSecond: result.requests.average,
          answers: result.requests.total,
          p50Ms: nearestRank(sorted, 0.5),
          p99Ms: nearestRank(sorted, 0.99),
          maxMs: sorted.at(-1) ?? Number.NaN,
          byLabel: new Map([...labelled].map(([name, values]) => [name, values.length])),
          latenciesByLabel,
          errors: result.errors,
        })
      },
    )
    const stop = (): void => {
      instance.stop()
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    instance.on('response', (_client, _statusCode, _bytes, responseTimeMs) => {
      latencies.push(responseTimeMs)
      const values = labelled.get(label)
      if (values === undefined) {
        labelled.set(label, [responseTimeMs])
      } else {
        values.push(responseTimeMs)
      }
    })
  })
}

/** The value at rank ⌈q·n⌉ of sorted values (NaN when there are none). */
export function nearestRank(sorted: Float64Array, q: number): number {
  const rank = Math.ceil(q * sorted.length)
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!
}
