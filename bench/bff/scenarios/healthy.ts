import { atMost } from '../../lib/judgement.js'
import { loadHello, loadPages } from '../load-run.js'
import { expectPage, fetchPage, isCatalogue, labelOf } from '../page-answer.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import type { ScenarioContext, StorefrontSystem } from '../storefront-system.js'
import { ms, throughputVerdict, times } from '../verdicts.js'

const SCENARIO = 'healthy, 10 products'
/** The page's throughput over the hello-world's, at least. */
const THROUGHPUT_SHARE = 0.2
/** The page's p99 over its own p50, at most: a tail that stays close to the typical page. */
const P99_OVER_P50 = 3

/**
 * The healthy system at its defaults (catalogue and stock cached) and its default catalogue,
 * signed in, so that each page needs products, cart, favorites and inventory: the page's
 * throughput beside the hello-world's, and how far its tail is from its median.
 */
export async function measureHealthy(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const problems: string[] = []
  const notes: string[] = []
  const first = await fetchPage(system.bffOrigin, system.visitor.headers)
  if (labelOf(first) !== '200' || !isCatalogue(first.productIds, 0, 10)) {
    problems.push(`${SCENARIO}: the first page was ${labelOf(first)} with ${first.productIds.length} products, not a whole page of products 1..10`)
  }
  if (system.visitor.signedIn) {
    if (first.cartItems === null || first.favoriteItems === null) {
      problems.push(`${SCENARIO}: signed in, yet the page has cart_items ${String(first.cartItems)} and favorite_items ${String(first.favoriteItems)}`)
    } else {
      notes.push(`Signed in as user 1 (demo sign-in, bearer token): each page needs products, cart, favorites and inventory (the page showed ${first.cartItems} cart lines, ${first.favoriteItems} favorites).`)
    }
  }

  const { connections } = context.plan
  const hello = await loadHello(context, SCENARIO, connections)
  const page = await loadPages(context, SCENARIO, system, { connections, check: expectPage(10), note: 'BFF defaults: catalogue cached 1000 ms, stock 250 ms' })
  const spread = page.result.p99Ms / page.result.p50Ms
  const helloSpread = hello.result.p99Ms / hello.result.p50Ms
  return {
    runs: [hello, page],
    verdicts: [
      throughputVerdict(`${SCENARIO}, ${connections} connections: req/s`, page, hello, THROUGHPUT_SHARE),
      {
        target: `${SCENARIO}, ${connections} connections: p99 over p50`,
        figure: `${times(spread)} (p50 ${ms(page.result.p50Ms)}, p99 ${ms(page.result.p99Ms)})`,
        hello: `${times(helloSpread)} (p50 ${ms(hello.result.p50Ms)}, p99 ${ms(hello.result.p99Ms)})`,
        ratio: `p99 ${times(page.result.p99Ms / hello.result.p99Ms)}`,
        limit: `p99 ≤ ${P99_OVER_P50} × p50`,
        judgement: atMost(spread, P99_OVER_P50, times),
      },
    ],
    notes,
    problems,
  }
}
