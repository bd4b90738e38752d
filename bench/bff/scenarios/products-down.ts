import { atMost } from '../../lib/judgement.js'
import { openBreaker } from '../breaker-state.js'
import { loadHello, loadPages } from '../load-run.js'
import { type AnswerCheck, expectPage, fetchPage, wrongAnswer } from '../page-answer.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, startSystem } from '../storefront-system.js'
import { ms, throughputVerdict, times } from '../verdicts.js'

const SCENARIO = 'products down'
/** Stale pages' throughput over the hello-world's, at least. */
const STALE_SHARE = 0.15
/** Without a stale catalogue the page is refused at once: its p99 under this, in ms. */
const REFUSED_P99_MS = 5
/** How long the BFF's products breaker may take to open once products is gone (5 failures in 10 s by default, after a catalogue cached for 1 s). */
const TRIP_MS = 15_000

/**
 * Stops the healthy system's products while its BFF holds the catalogue, read just before: pages
 * must then be 200 with that catalogue, `products` degraded as `stale`. A second BFF with
 * `STALE_IF_ERROR_MS=0` has nothing to stand in and must refuse every page with 503 at once. Each
 * BFF's products breaker is opened first (pages one at a time until `GET /ops/breakers` says so),
 * so the loads measure the steady state. Runs last: the healthy system has no products afterwards.
 */
export async function measureProductsDown(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const { fleet, plan } = context
  const strict = await startSystem(fleet, system.downstreams, 'bff-no-stale', { STALE_IF_ERROR_MS: '0' })
  try {
    const problems: string[] = []
    const stale = expectPage(10, 'products (stale)')
    const refused: AnswerCheck = { right: '503' }
    // The catalogue the stale pages stand on: read now, well inside the stale-if-error window.
    const notHeld = await wrongAnswer(`${system.bffOrigin}/products/all`, system.visitor.headers, expectPage(10))
    if (notHeld !== undefined) {
      problems.push(`${SCENARIO}: the page read before products stopped was ${notHeld}`)
    }
    await fleet.stop(system.downstreams.products)
    const notes = [`Products stopped; the products breaker opened after ${await tripped(context, system)} page(s) on ${system.bff.name}, ${await tripped(context, strict)} on ${strict.bff.name}.`]
    for (const [bff, check] of [[system, stale], [strict, refused]] as const) {
      const wrong = await wrongAnswer(`${bff.bffOrigin}/products/all`, bff.visitor.headers, check)
      if (wrong !== undefined) {
        problems.push(`${SCENARIO}: ${bff.bff.name}'s first page after the breaker opened was ${wrong}, not ${check.right}`)
      }
    }
    const { connections } = plan
    const hello = await loadHello(context, SCENARIO, connections)
    const stalePages = await loadPages(context, SCENARIO, system, { connections, check: stale, note: 'STALE_IF_ERROR_MS default (300000): the catalogue read before products stopped' })
    const refusals = await loadPages(context, SCENARIO, strict, { connections, check: refused, note: 'STALE_IF_ERROR_MS=0: nothing to stand in' })
    return {
      runs: [hello, stalePages, refusals],
      verdicts: [
        throughputVerdict(`${SCENARIO}, stale catalogue held, ${connections} connections: stale pages, req/s`, stalePages, hello, STALE_SHARE),
        {
          target: `${SCENARIO}, STALE_IF_ERROR_MS=0, ${connections} connections: 503 p99`,
          figure: `${ms(refusals.result.p99Ms)} (p50 ${ms(refusals.result.p50Ms)})`,
          hello: `p99 ${ms(hello.result.p99Ms)}`,
          ratio: times(refusals.result.p99Ms / hello.result.p99Ms),
          limit: `< ${ms(REFUSED_P99_MS)}`,
          judgement: atMost(refusals.result.p99Ms, REFUSED_P99_MS, ms, true),
        },
      ],
      notes,
      problems,
    }
  } finally {
    await fleet.stop(strict.bff)
  }
}

/** Opens a BFF's products breaker with pages one at a time; returns how many it took. */
function tripped(context: ScenarioContext, system: StorefrontSystem): Promise<number> {
  context.signal.throwIfAborted()
  return openBreaker(system.bffOrigin, 'products', () => fetchPage(system.bffOrigin, system.visitor.headers), TRIP_MS)
}
