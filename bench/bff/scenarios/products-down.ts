import { breakerState, openBreaker } from '../breaker-state.js'
import { fetchPage } from '../page-answer.js'
import { loadPages, pageRow } from '../page-load.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import type { ScenarioContext, StorefrontSystem } from '../storefront-system.js'

/** An open circuit answers at once: this is the p99 allowed, in ms. */
const P99_LIMIT_MS = 5
const SCENARIO = 'products down, breaker open'
/** Requests allowed to open the breaker (its default is 5 failures in 10 s). */
const MAX_TRIP_REQUESTS = 50

/**
 * Stops the healthy system's products process, sends pages one at a time until the BFF's products
 * breaker shows open in `GET /ops/breakers`, then loads it: every page must be refused at once
 * with 503. Runs last, since the healthy system has no products afterwards.
 */
export async function measureProductsDown(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const { fleet, plan } = context
  await fleet.stop(system.downstreams.products)
  const tripped = await openBreaker(system.bffOrigin, 'products', () => fetchPage(system.bffOrigin, system.visitor.headers), MAX_TRIP_REQUESTS)
  context.log(`products breaker open after ${tripped} page request(s)`)
  const measured = await loadPages(context, system, {
    connections: plan.connections,
    durationS: plan.downS,
    warmupS: 0,
    classify: (status) => String(status),
  })
  // One connection as well: what a refused page itself costs, without the queue that 32
  // connections build in front of one BFF process on two shared cores.
  const single = await loadPages(context, system, {
    connections: 1,
    durationS: plan.downS,
    warmupS: 0,
    classify: (status) => String(status),
  })
  const { result } = measured
  const refused = (result.byLabel.get('503') ?? 0) + (single.result.byLabel.get('503') ?? 0)
  const answers = result.answers + single.result.answers
  const stateAfter = await breakerState(system.bffOrigin, 'products')
  const problems = result.errors > 0 ? [`${SCENARIO}: ${result.errors} connection error(s) on the BFF`] : []
  return {
    rows: [
      pageRow(SCENARIO, system, plan.connections, measured, `breaker open after ${tripped} failing page(s); ${stateAfter} at the end`),
      pageRow(SCENARIO, system, 1, single, 'one page at a time: the refusal itself'),
    ],
    verdicts: [
      {
        target: `products down: p99 < ${P99_LIMIT_MS} ms, one connection`,
        measured: `${single.result.p99Ms.toFixed(2)} ms (p50 ${single.result.p50Ms.toFixed(2)} ms, slowest ${single.result.maxMs.toFixed(1)} ms)`,
        met: single.result.p99Ms < P99_LIMIT_MS,
      },
      {
        target: `products down: p99 < ${P99_LIMIT_MS} ms, ${plan.connections} connections`,
        measured: `${result.p99Ms.toFixed(2)} ms (p50 ${result.p50Ms.toFixed(2)} ms, slowest ${result.maxMs.toFixed(1)} ms)`,
        met: result.p99Ms < P99_LIMIT_MS,
      },
      {
        target: 'products down: answers are 503',
        measured: `${refused} of ${answers} answers were 503`,
        met: refused === answers && answers > 0,
      },
    ],
    notes: [],
    problems,
  }
}
