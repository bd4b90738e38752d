/** One process to wait for. */
export interface ReadyTarget {
  readonly name: string
  /** Origin; `/health/ready` is appended. */
  readonly origin: string
}

/** How {@link waitReady} polls. */
export interface WaitReadyOptions {
  /** Default 200 ms. */
  readonly intervalMs?: number
  /** Default 60 s. */
  readonly timeoutMs?: number
  /** Stops waiting early (e.g. the launcher is shutting down); resolves with what is not ready. */
  readonly signal?: AbortSignal
}

async function isReady(origin: string): Promise<boolean> {
  try {
    // A short per-probe timeout: a process that accepts but never answers must not stall the poll.
    const response = await fetch(`${origin}/health/ready`, { signal: AbortSignal.timeout(1000) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
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
