import { atMost } from '../../lib/judgement.js'
import { loadAlone, loadHello, loadPages } from '../load-run.js'
import { expectPage } from '../page-answer.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import type { ScenarioContext, StorefrontSystem } from '../storefront-system.js'
import { ms, times } from '../verdicts.js'

const SCENARIO = 'caching off, 1 connection'
/** What the BFF may add to its slowest downstream path (products, then inventory), at p50, in ms. */
const ADDED_P50_MS = 0.5
const INVENTORY_QUERY = `/inventory?product_ids=${Array.from({ length: 10 }, (_, index) => index + 1).join(',')}`

/**
 * What the BFF itself adds to a page: at one connection nothing waits in a queue, so the page's
 * p50 minus the p50 of the two calls it makes one after the other (products, then inventory;
 * cart and favorites run beside products), each measured alone with the service token, is the
 * BFF's own time. The BFF's caches are off, so every page makes those calls.
 */
export async function measureAddedLatency(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const hello = await loadHello(context, SCENARIO, 1)
  const products = await loadAlone(context, SCENARIO, system.downstreams.products, '/products', 1)
  const inventory = await loadAlone(context, SCENARIO, system.downstreams.inventory, INVENTORY_QUERY, 1)
  const page = await loadPages(context, SCENARIO, system, { connections: 1, check: expectPage(10), note: 'CATALOGUE_TTL_MS=0 STOCK_TTL_MS=0' })
  const path = products.result.p50Ms + inventory.result.p50Ms
  const added = page.result.p50Ms - path
  return {
    runs: [hello, products, inventory, page],
    verdicts: [
      {
        target: `${SCENARIO}: page p50 over products p50 + inventory p50`,
        figure: `${ms(added)} (${ms(page.result.p50Ms)} - ${ms(products.result.p50Ms)} - ${ms(inventory.result.p50Ms)})`,
        hello: `p50 ${ms(hello.result.p50Ms)}`,
        ratio: times(added / hello.result.p50Ms),
        limit: `≤ ${ms(ADDED_P50_MS)}`,
        judgement: atMost(added, ADDED_P50_MS, ms),
      },
    ],
    notes: [],
    problems: [],
  }
}
