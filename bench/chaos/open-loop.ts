import { setInterval as every } from 'node:timers/promises'

import { Agent, request } from 'undici'

/** One answer of an open-loop run (or a request that got none). */
export interface Answer {
  /** When the request was sent, in ms on the `performance.now()` clock. */
  readonly sentAtMs: number
  /** From sending to the whole body, in ms. */
  readonly latencyMs: number
  /** The HTTP status, or 0 when the request failed without one (refused, reset, timed out). */
  readonly status: number
  /** What the answer says about itself (see {@link OpenLoopOptions.classify}). */
  readonly kind: AnswerKind
}

/** What an answer says about itself: a label to count it by, and the parts a page went without. */
export interface AnswerKind {
  /** `200`, `200 degraded: inventory (timeout)`, `503 SVC_ERR_OVERLOADED`, `no answer (ECONNREFUSED)`. */
  readonly label: string
  /** The names in a page's `degraded`; empty for a whole page or an answer that is not a page. */
  readonly degraded: readonly string[]
}

/** Reads an answer's kind from its status, headers and body. */
type AnswerClassifier = (status: number, headers: Readonly<Record<string, string | string[] | undefined>>, body: string) => AnswerKind

/** Options of {@link startOpenLoop}. */
export interface OpenLoopOptions {
  /** A full URL on the loopback interface. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Requests sent per second, whatever the answers do: the arrival rate of an open system. */
  readonly ratePerSecond: number
  readonly classify: AnswerClassifier
  /** The longest a request may take before it counts as failed (status 0), in ms. Defaults to 10 000. */
  readonly timeoutMs?: number
}

/** A running open-loop load; {@link stop} ends it. */
export interface OpenLoop {
  /** Stops sending, waits for the requests in flight, and returns every answer in the order sent; safe to call more than once. */
  stop(): Promise<Answer[]>
}

/** The most requests in flight at once; past it a request waits for a connection, and its latency counts the wait. */
const MAX_CONNECTIONS = 1024

/** How often the sender wakes to send what is due, in ms. */
const TICK_MS = 5

/**
 * Sends requests at a fixed arrival rate, each on a connection of its own when none is free, so a
 * slow answer never holds the next request back (closed-loop generators such as autocannon send
 * the next only after the last answer, and so ease off exactly when the system struggles). Every
 * answer is kept with the time it was sent, so that a run can say what happened when.
 */
export function startOpenLoop(options: OpenLoopOptions): OpenLoop {
  const agent = new Agent({ connections: MAX_CONNECTIONS, pipelining: 1 })
  const timeoutMs = options.timeoutMs ?? 10_000
  const answers: Array<Promise<Answer>> = []
  const stopped = new AbortController()
  const startedAt = performance.now()
  const send = (): void => {
    const sentAtMs = performance.now()
    answers.push(
      request(options.url, { dispatcher: agent, headers: options.headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
        .then(async (response) => {
          const body = await response.body.text()
          return { sentAtMs, latencyMs: performance.now() - sentAtMs, status: response.statusCode, kind: options.classify(response.statusCode, response.headers, body) }
        })
        .catch((error: unknown) => ({ sentAtMs, latencyMs: performance.now() - sentAtMs, status: 0, kind: { label: `no answer (${describeError(error)})`, degraded: [] } })),
    )
  }
  const sending = (async () => {
    try {
      for await (const _ of every(TICK_MS, undefined, { signal: stopped.signal })) {
        // Catch up on every request due by now: a late tick sends a burst rather than losing them.
        const due = Math.floor(((performance.now() - startedAt) / 1000) * options.ratePerSecond)
        while (answers.length < due) {
          send()
        }
      }
    } catch (error) {
      if (!stopped.signal.aborted) {
        throw error
      }
    }
  })()
  let stopping: Promise<Answer[]> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        stopped.abort()
        await sending
        const settled = await Promise.all(answers)
        await agent.close()
        return settled
      })()
      return stopping
    },
  }
}

/** A failed request's error code (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`), or its name. */
function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'error'
}
