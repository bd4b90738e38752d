import { get } from 'node:http'

/** One process to wait for. */
export interface ReadyTarget {
  readonly name: string
  /** Origin, such as `http://127.0.0.1:8000`; `/health/ready` is appended. */
  readonly origin: string
}

/** How {@link waitReady} polls. */
export interface WaitReadyOptions {
  /** The pause between two rounds of probes, in ms. Defaults to 200. */
  readonly intervalMs?: number
  /** How long every target may take, in ms. Defaults to 60 000. */
  readonly timeoutMs?: number
  /** Stops waiting early (a shutdown, a child that exited); resolves with what is not ready. */
  readonly signal?: AbortSignal
}

/**
 * One probe of `GET <origin>/health/ready`: true on a 200. Through `node:http` rather than `fetch`:
 * while a system starts, the launcher probes every 50 ms and most probes are refused, and each
 * `fetch` (undici, an AbortSignal timer, a rejected promise) cost the launcher about 0.5 s of CPU
 * per start, taken from the services it waits for on a machine of two cores.
 */
function isReady(origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    // No keep-alive agent: a probe is one request, and no socket is left open between probes.
    const request = get(`${origin}/health/ready`, { agent: false, timeout: 1000 }, (response) => {
      response.resume()
      resolve(response.statusCode === 200)
    })
    // A short idle timeout: a process that accepts but never answers must not stall the poll.
    request.once('timeout', () => {
      request.destroy()
    })
    request.once('error', () => {
      resolve(false)
    })
  })
}

/**
 * Polls every target's `GET /health/ready` until each has answered 200 once. Resolves to the names
 * that did not come up in time (empty when all are ready), so the caller can say which failed.
 */
export async function waitReady(targets: readonly ReadyTarget[], options: WaitReadyOptions = {}): Promise<string[]> {
  const intervalMs = options.intervalMs ?? 200
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  const waiting = new Map(targets.map((t) => [t.name, t.origin]))
  for (;;) {
    const results = await Promise.all([...waiting].map(async ([name, origin]) => [name, await isReady(origin)] as const))
    for (const [name, ready] of results) {
      if (ready) {
        waiting.delete(name)
      }
    }
    if (waiting.size === 0 || Date.now() >= deadline || options.signal?.aborted === true) {
      return [...waiting.keys()]
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
