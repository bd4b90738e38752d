import type { Product, Static, StockItem } from '@storefront/contracts'
import { isTimeoutError } from '@storefront/resilience'
import { isLocalRefusal, isOwnTimeout, isUpstreamError } from '@storefront/service-kit/clients'

import type { BffEnv } from '../config.js'
import { KeptReads } from './kept-reads.js'
import { KeptStock } from './kept-stock.js'
import { SharedReads } from './shared-reads.js'

/**
 * Catalogue pages kept at most: the whole catalogue is one, and each `limit`/`after` pair another
 * (a 100 000-product catalogue read 48 at a time is about 2 100).
 */
const MAX_CATALOGUE_PAGES = 4096

/** Products whose stock is kept at most. */
const MAX_STOCK_ENTRIES = 1_000_000

/** What the products page reads through: the catalogue and stock caches, and the shared stock calls. */
export interface PageCaches {
  /** Catalogue reads, by page (`all`, or `limit:after`). */
  readonly catalogue: KeptReads<ReadonlyArray<Static<typeof Product>>>
  /** The stock last read for each product. */
  readonly stock: KeptStock
  /** Inventory calls in flight, by the ids they ask for, shared by the pages that need the same chunk. */
  readonly stockCalls: SharedReads<ReadonlyArray<Static<typeof StockItem>>>
}

/** The caches of one BFF process, sized and timed by its environment. */
export function createPageCaches(env: Pick<BffEnv, 'CATALOGUE_TTL_MS' | 'STOCK_TTL_MS' | 'STALE_IF_ERROR_MS'>): PageCaches {
  return {
    catalogue: new KeptReads({ ttlMs: env.CATALOGUE_TTL_MS, staleIfErrorMs: env.STALE_IF_ERROR_MS, maxEntries: MAX_CATALOGUE_PAGES, isStartersOwn: isCallerTimeout }),
    stock: new KeptStock({ ttlMs: env.STOCK_TTL_MS, staleIfErrorMs: env.STALE_IF_ERROR_MS, maxEntries: MAX_STOCK_ENTRIES }),
    stockCalls: new SharedReads(isCallerTimeout),
  }
}

/**
 * True for a failure of the downstream itself (an error status, a broken connection, a bad body,
 * its own timeout, a local refusal: its circuit open, throttled, or at its concurrency limit): what an older value may stand in for. The caller's own
 * deadline or going away is not one: that caller gets its 504 or nothing, as without a cache.
 */
export function isDownstreamFailure(error: unknown): boolean {
  return isUpstreamError(error) || isOwnTimeout(error) || isLocalRefusal(error)
}

/** A shared call ended by the deadline of the caller that started it, not by the downstream. */
function isCallerTimeout(error: unknown): boolean {
  return isTimeoutError(error) && !isOwnTimeout(error)
}
