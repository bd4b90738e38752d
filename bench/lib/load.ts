import autocannon from 'autocannon'

/**
 * Names an answer for counting: its status, and for a page whether and why it is degraded. `path`
 * is the path the request asked for (see {@link LoadOptions.nextPath}).
 */
export type AnswerClassifier = (status: number, body: string, headers: Readonly<Record<string, unknown>>, path: string) => string

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** A full URL on the loopback interface. */
  readonly url: string
  readonly connections: number
  readonly durationS: number
  readonly headers: Readonly<Record<string, string>>
  /**
   * Headers per request, taken in turn (each visitor's bearer token): many visitors' pages share
   * less below than one visitor's do. Without it every request carries {@link headers}.
   */
  readonly visitors?: ReadonlyArray<Readonly<Record<string, string>>>
  /**
   * The answers the latency figures cover. `'2xx'` (the default) for a service, where any other
   * answer is a fault the report flags on its own; `'every'` for a BFF under faults, which answers
   * 503 by design, and how fast it does so is the figure wanted.
   */
  readonly latencies?: '2xx' | 'every'
  /**
   * Labels each answer from its status, body and headers, so that a run can count degraded pages
   * by reason. Without it an answer is labelled with its status alone, and no body is read.
   */
  readonly classify?: AnswerClassifier
  /**
   * The path (with query) of each request, asked for as the request is sent, so that a run can
   * follow cursors that earlier answers gave. Without it every request asks for the URL's path.
   */
  readonly nextPath?: () => string
  /** Stops the run early (Ctrl-C); what was measured until then is returned. */
  readonly signal?: AbortSignal
}

/** What one load run measured. */
export interface LoadResult {
  /** Answers per second, autocannon's mean over the run's seconds. */
  readonly requestsPerSecond: number
  /** Answers in all, whatever their status. */
  readonly answers: number
  /** Latency percentiles of the answers {@link LoadOptions.latencies} names, in ms, from each answer's own time (µs resolution). */
  readonly p50Ms: number
  readonly p99Ms: number
  /** The slowest of the same answers, in ms. */
  readonly maxMs: number
  /** Answers whose status was not 2xx. */
  readonly non2xx: number
  /** How many answers got each label (see {@link LoadOptions.classify}). */
  readonly byLabel: ReadonlyMap<string, number>
  /** The latencies of the answers of each label, sorted, in ms. */
  readonly latenciesByLabel: ReadonlyMap<string, Float64Array>
  /** Connection errors and timeouts. */
  readonly errors: number
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
  const everyAnswer = options.latencies === 'every'
  const latencies: number[] = []
  const labelled = new Map<string, number[]>()
  const { classify, nextPath, visitors } = options
  const url = new URL(options.url)
  const urlPath = `${url.pathname}${url.search}`
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
        // An onResponse makes autocannon keep every body: only when the classifier reads them.
        ...(classify === undefined && nextPath === undefined && visitors === undefined ? {} : { requests: [requestOf(classify, nextPath, visitors, urlPath, (name) => { label = name })] }),
      },
      (error: unknown, result) => {
        options.signal?.removeEventListener('abort', stop)
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
          return
        }
        const sorted = Float64Array.from(latencies).sort()
        resolve({
          requestsPerSecond: result.requests.average,
          answers: result.requests.total,
          p50Ms: nearestRank(sorted, 0.5),
          p99Ms: nearestRank(sorted, 0.99),
          maxMs: sorted.at(-1) ?? Number.NaN,
          non2xx: result.non2xx,
          byLabel: new Map([...labelled].map(([name, values]) => [name, values.length])),
          latenciesByLabel: new Map([...labelled].map(([name, values]) => [name, Float64Array.from(values).sort()])),
          errors: result.errors,
        })
      },
    )
    const stop = (): void => {
      instance.stop()
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (everyAnswer || (statusCode >= 200 && statusCode < 300)) {
        latencies.push(responseTimeMs)
      }
      const name = classify === undefined ? String(statusCode) : label
      const values = labelled.get(name)
      if (values === undefined) {
        labelled.set(name, [responseTimeMs])
      } else {
        values.push(responseTimeMs)
      }
    })
  })
}

/** What a request's autocannon context holds: the path {@link LoadOptions.nextPath} gave it. */
interface PathContext {
  path?: string
}

/**
 * The one request of a run that asks for its path and visitor as it is sent, or labels its answers.
 * autocannon hands the same context to a request's setupRequest and to its onResponse.
 */
function requestOf(classify: AnswerClassifier | undefined, nextPath: (() => string) | undefined, visitors: LoadOptions['visitors'], urlPath: string, onLabel: (label: string) => void): autocannon.Request {
  const request: autocannon.Request = { method: 'GET' }
  let turn = 0
  if (nextPath !== undefined || visitors !== undefined) {
    request.setupRequest = (sent, context) => {
      const own = context as PathContext
      own.path = nextPath?.() ?? urlPath
      const visitor = visitors?.[turn++ % visitors.length]
      return { ...sent, path: own.path, ...(visitor === undefined ? {} : { headers: { ...sent.headers, ...visitor } }) }
    }
  }
  if (classify !== undefined) {
    request.onResponse = (status, body, context, headers) => {
      onLabel(classify(status, body, headers ?? {}, (context as PathContext).path ?? urlPath))
    }
  }
  return request
}

/** The value at rank ⌈q·n⌉ of sorted values (NaN when there are none). */
export function nearestRank(sorted: Float64Array, q: number): number {
  const rank = Math.ceil(q * sorted.length)
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!
}
