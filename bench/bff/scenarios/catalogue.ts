import { type InventoryCalls, MAX_INVENTORY_CALLS_PER_PAGE, inventoryCallsPerPage } from '../inventory-calls.js'
import { fetchPage, labelOf, readPageHeader } from '../page-answer.js'
import { loadPages, pageRow } from '../page-load.js'
import type { BenchRow, ScenarioOutcome } from '../scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, startSystem } from '../storefront-system.js'

/** One catalogue size's figures. */
interface SizeFigures {
  readonly size: number
  readonly calls: InventoryCalls
  readonly p50Ms: number
}

/**
 * Larger catalogues: for each size, products and inventory on fresh databases seeded with that many
 * products (cart and favorites are the healthy system's), behind their own BFF. Counts the
 * inventory calls a page makes and measures a page's latency, one request at a time.
 */
export async function measureCatalogues(context: ScenarioContext, healthy: StorefrontSystem): Promise<ScenarioOutcome> {
  const rows: BenchRow[] = []
  const problems: string[] = []
  const figures: SizeFigures[] = []
  for (const size of context.plan.catalogueSizes) {
    context.signal.throwIfAborted()
    const outcome = await measureSize(context, healthy, size)
    rows.push(outcome.row)
    problems.push(...outcome.problems)
    figures.push(outcome.figures)
  }
  const largest = figures.at(-1)
  const perThousand = figures.map((entry) => `${entry.size} → ${((entry.p50Ms * 1000) / entry.size).toFixed(2)} ms`).join(', ')
  const first = figures[0]
  const growth = first === undefined || largest === undefined || figures.length < 2
    ? ''
    : `; the largest catalogue costs ${((largest.p50Ms / largest.size) / (first.p50Ms / first.size)).toFixed(2)}x per product what the smallest does (1.00 is linear growth)`
  const verdicts = largest === undefined ? [] : [{
    target: `inventory calls per page ≤ ${MAX_INVENTORY_CALLS_PER_PAGE} at ${largest.size} products`,
    measured: `${describeCalls(largest.calls)} per page (${figures.map((entry) => `${entry.size}: ${describeCalls(entry.calls)}`).join(', ')})`,
    met: largest.calls.perPage <= MAX_INVENTORY_CALLS_PER_PAGE,
  }]
  return {
    rows,
    verdicts,
    notes: [`Page p50 per 1 000 products (1 connection): ${perThousand}${growth}.`],
    problems,
  }
}

async function measureSize(context: ScenarioContext, healthy: StorefrontSystem, size: number): Promise<{ row: BenchRow; problems: string[]; figures: SizeFigures }> {
  const { fleet, plan } = context
  const scenario = `catalogue of ${size} products`
  const seed = { SEED_PRODUCTS: String(size) }
  const started = await Promise.allSettled([fleet.startService('products', seed, `products-${size}`), fleet.startService('inventory', seed, `inventory-${size}`)])
  const [products, inventory] = started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined))
  try {
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed !== undefined || products === undefined || inventory === undefined) {
      throw failed?.reason ?? new Error(`${scenario}: a service did not start`)
    }
    const system = await startSystem(fleet, { ...healthy.downstreams, products, inventory }, `bff-${size}`)
    try {
      const problems: string[] = []
      const page = await fetchPage(system.bffOrigin, system.visitor.headers)
      if (page.status !== 200 || page.degraded.length > 0 || page.products !== size) {
        problems.push(`${scenario}: the first page was ${labelOf(page)} with ${page.products ?? 0} products, not a whole page of ${size}`)
      }
      const calls = await inventoryCallsPerPage(system, inventory, plan.countedPages)
      const measured = await loadPages(context, system, {
        connections: plan.catalogueConnections,
        durationS: plan.catalogueS,
        warmupS: plan.warmupS,
        classify: (status, _body, headers) => labelOf(readPageHeader(status, headers)),
      })
      const { result } = measured
      for (const [label, count] of result.byLabel) {
        if (label !== '200') {
          problems.push(`${scenario}: ${count} BFF answer(s) were ${label}`)
        }
      }
      if (result.errors > 0) {
        problems.push(`${scenario}: ${result.errors} connection error(s) on the BFF`)
      }
      const note = `${describeCalls(calls)} inventory calls per page; p50 ${((result.p50Ms * 1000) / size).toFixed(2)} ms per 1 000 products`
      return { row: pageRow(scenario, system, plan.catalogueConnections, measured, note), problems, figures: { size, calls, p50Ms: result.p50Ms } }
    } finally {
      await fleet.stop(system.bff)
    }
  } finally {
    for (const child of [products, inventory]) {
      if (child !== undefined) {
        await fleet.stop(child)
      }
    }
  }
}

/** `100`, or `101 (incl. 1 hedged)` when the BFF hedged slow chunks. */
function describeCalls(calls: InventoryCalls): string {
  const hedges = calls.hedgesPerPage ?? 0
  return hedges > 0 ? `${calls.perPage} (incl. ${hedges} hedged)` : String(calls.perPage)
}
