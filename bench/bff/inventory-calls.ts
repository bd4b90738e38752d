import type { RunningProcess } from '../services/service-process.js'
import { fetchPage } from './page-answer.js'
import { requestsServed } from './served-requests.js'
import { originOf } from './storefront-fleet.js'
import type { StorefrontSystem } from './storefront-system.js'

/** The most `GET /inventory` calls one page may make (the contract's chunks of at most 100 ids). */
export const MAX_INVENTORY_CALLS_PER_PAGE = 100

/**
 * Requests `pages` pages one at a time and returns the `GET /inventory` calls the inventory service
 * answered per page, from its own request counter: what actually reached it, retries included.
 */
export async function inventoryCallsPerPage(system: StorefrontSystem, inventory: RunningProcess, pages: number): Promise<number> {
  const before = await requestsServed(originOf(inventory), '/inventory')
  for (let page = 0; page < pages; page++) {
    await fetchPage(system.bffOrigin, system.visitor.headers)
  }
  const after = await requestsServed(originOf(inventory), '/inventory')
  return (after - before) / pages
}
