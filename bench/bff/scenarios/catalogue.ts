import { atMost } from '../../lib/judgement.js'
import type { RunningProcess } from '../../lib/service-process.js'
import { CatalogueWalk } from '../catalogue-walk.js'
import { loadHello, loadPages } from '../load-run.js'
import { expectPage, wrongAnswer } from '../page-answer.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, startSystem } from '../storefront-system.js'
import { ms, throughputVerdict, times } from '../verdicts.js'

/** Products in the large catalogue. */
const SIZE = 10_000
/** Products per page of the walk. */
const PAGE_LIMIT = 48
const SCENARIO = `catalogue of ${SIZE} products`
/** The whole catalogue's page p50 at one connection, cache warm, at most, in ms. */
const FULL_PAGE_P50_MS = 15
/** The paged walk's throughput over the hello-world's, at least. */
const PAGED_SHARE = 0.15

/**
 * A large catalogue: products and inventory on fresh databases seeded with {@link SIZE} products
 * (cart and favorites are the healthy system's), behind a BFF at its defaults. The whole catalogue
 * at one connection once the warm-up has filled the BFF's caches, then clients walking it
 * {@link PAGE_LIMIT} products at a time at full load; every page's products are checked.
 */
export async function measureCatalogue(context: ScenarioContext, healthy: StorefrontSystem): Promise<ScenarioOutcome> {
  const { fleet } = context
  const seed = { SEED_PRODUCTS: String(SIZE) }
  const started = await Promise.allSettled([fleet.startService('products', seed, `products-${SIZE}`), fleet.startService('inventory', seed, `inventory-${SIZE}`)])
  const [products, inventory] = started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined))
  try {
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed !== undefined || products === undefined || inventory === undefined) {
      throw failed?.reason ?? new Error(`${SCENARIO}: a service did not start`)
    }
    const system = await startSystem(fleet, { ...healthy.downstreams, products, inventory }, `bff-${SIZE}`)
    try {
      return await measureLarge(context, system)
    } finally {
      await fleet.stop(system.bff)
    }
  } finally {
    await stopAll(context, [products, inventory])
  }
}

/** The figures of the large catalogue's system. */
async function measureLarge(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const whole = expectPage(SIZE)
  const wrongFirst = await wrongAnswer(`${system.bffOrigin}/products/all`, system.visitor.headers, whole)
  const singleHello = await loadHello(context, SCENARIO, 1)
  const full = await loadPages(context, SCENARIO, system, { connections: 1, check: whole, note: 'whole catalogue; BFF defaults, cache warmed by the warm-up' })
  const { connections } = context.plan
  const walk = new CatalogueWalk(SIZE, PAGE_LIMIT, connections)
  const hello = await loadHello(context, SCENARIO, connections)
  const paged = await loadPages(context, SCENARIO, system, {
    connections,
    check: walk.check,
    path: `/products/all?limit=${PAGE_LIMIT}`,
    nextPath: walk.nextPath,
    note: `${connections} walks spread over the ${Math.ceil(SIZE / PAGE_LIMIT)} pages, each following next_after`,
  })
  return {
    runs: [singleHello, full, hello, paged],
    verdicts: [
      {
        target: `${SCENARIO}, 1 connection, cache warm: whole page p50`,
        figure: ms(full.result.p50Ms),
        hello: `p50 ${ms(singleHello.result.p50Ms)}`,
        ratio: times(full.result.p50Ms / singleHello.result.p50Ms),
        limit: `≤ ${ms(FULL_PAGE_P50_MS)}`,
        judgement: atMost(full.result.p50Ms, FULL_PAGE_P50_MS, ms),
      },
      throughputVerdict(`${SCENARIO}, pages of ${PAGE_LIMIT} following next_after, ${connections} connections: req/s`, paged, hello, PAGED_SHARE),
    ],
    notes: [],
    problems: wrongFirst === undefined ? [] : [`${SCENARIO}: the first page was ${wrongFirst}`],
  }
}

async function stopAll(context: ScenarioContext, children: ReadonlyArray<RunningProcess | undefined>): Promise<void> {
  for (const child of children) {
    if (child !== undefined) {
      await context.fleet.stop(child)
    }
  }
}
