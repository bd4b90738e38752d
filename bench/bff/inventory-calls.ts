import type { RunningProcess } from '../lib/service-process.js'
import { counterTotal } from './metric-counter.js'
import { fetchPage } from './page-answer.js'
import { originOf } from './storefront-fleet.js'
import type { StorefrontSystem } from './storefront-system.js'

/** The most `GET /inventory` calls one page may make (the contract's chunks of at most 100 ids). */
export const MAX_INVENTORY_CALLS_PER_PAGE = 100

/** The BFF's count of extra copies of slow inventory chunk calls, when it hedges them. */
const HEDGES_COUNTER = 'bff_inventory_hedges_total'

/** Inventory calls per page, and the share of them that were hedged copies (undefined: the BFF counts none). */
export interface InventoryCalls {
  readonly perPage: number
  readonly hedgesPerPage: number | undefined
}

/**
 * Requests `pages` pages one at a time and returns the `GET /inventory` calls the inventory service
 * answered per page, from its own request counter: what actually reached it, retries and hedged
 * copies included. The BFF's hedge counter, when it has one, says how many were copies.
 */
export async function inventoryCallsPerPage(system: StorefrontSystem, inventory: RunningProcess, pages: number): Promise<InventoryCalls> {
  const served = async (): Promise<number> => (await counterTotal(originOf(inventory), 'http_requests_total', { route: '/inventory' })) ?? 0
  const before = await served()
  const hedgesBefore = await counterTotal(system.bffOrigin, HEDGES_COUNTER)
  for (let page = 0; page < pages; page++) {
    await fetchPage(system.bffOrigin, system.visitor.headers)
  }
  const after = await served()
  const hedgesAfter = await counterTotal(system.bffOrigin, HEDGES_COUNTER)
  return {
    perPage: (after - before) / pages,
    hedgesPerPage: hedgesBefore === undefined || hedgesAfter === undefined ? undefined : (hedgesAfter - hedgesBefore) / pages,
  }
}
