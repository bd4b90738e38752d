interface BreakersBody {
  readonly breakers?: Readonly<Record<string, { readonly state?: unknown } | undefined>>
}

/** A downstream's breaker state (`closed`, `open`, `half-open`) as the BFF's `GET /ops/breakers` shows it. */
async function breakerState(bffOrigin: string, downstream: string): Promise<string> {
  const response = await fetch(`${bffOrigin}/ops/breakers`)
  const body = (await response.json()) as BreakersBody
  const state = body.breakers?.[downstream]?.state
  if (response.status !== 200 || typeof state !== 'string') {
    throw new Error(`GET /ops/breakers answered ${response.status} without breakers.${downstream}.state`)
  }
  return state
}

/**
 * Sends requests one at a time until the BFF's breaker for `downstream` is open, and returns how
 * many it took; throws after `maxMs`. Until then each request waits for the failure (a refused
 * connection, retried) or is served from the BFF's cache, so the load that follows measures the
 * open circuit alone.
 */
export async function openBreaker(bffOrigin: string, downstream: string, request: () => Promise<unknown>, maxMs: number): Promise<number> {
  const until = performance.now() + maxMs
  let sent = 0
  while ((await breakerState(bffOrigin, downstream)) !== 'open') {
    if (performance.now() > until) {
      throw new Error(`the ${downstream} breaker was not open after ${maxMs} ms (${sent} requests)`)
    }
    await request()
    sent++
  }
  return sent
}
