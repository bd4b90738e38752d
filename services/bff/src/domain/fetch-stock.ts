import type { Static, StockItem as StockItemSchema } from '@storefront/contracts'
import { type Deadline, hedge, settle } from '@storefront/resilience'
import { isTracing, policySpanEvents } from '@storefront/service-kit'
import type { UpstreamClient } from '@storefront/service-kit/clients'

import type { KeptStock } from '../cache/kept-stock.js'
import type { SharedReads } from '../cache/shared-reads.js'
import { parseStockList } from '../clients/downstream-shapes.js'
import type { LatencyTracker } from '../metrics/latency-tracker.js'
import { type CallCommon, type DegradedReason, endedByCallerBudget, reasonOf, settleLimitMs } from './call-outcomes.js'

/** One product's stock as inventory sends it. */
type StockItem = Static<typeof StockItemSchema>

/** The most ids one `GET /inventory` call carries (the contract's chunk size). */
const INVENTORY_CHUNK_SIZE = 100

/**
 * The most inventory calls one page makes, hedges included: hedging may use what the chunks leave
 * (a 10 000-product page is 100 chunks and gets no hedge), so a big catalogue never multiplies
 * the load on inventory.
 */
const MAX_INVENTORY_CALLS_PER_PAGE = 100

/**
 * How slow inventory chunks are hedged: a second copy of a chunk call starts once the first has
 * run longer than the recent 95th percentile of chunk calls (clamped to `minDelayMs` and to half
 * the inventory window), and only while the inventory retry budget allows, so hedging cannot
 * double the load on a struggling inventory.
 */
export interface InventoryHedging {
  /** Latencies of successful chunk calls; fed here, read for the delay. */
  readonly latency: LatencyTracker
  /** The shortest hedge delay, in ms: below it a second copy costs more than it saves. */
  readonly minDelayMs: number
  /** Hears each hedge started (for metrics). */
  readonly onHedge?: () => void
}

/** Where a page's stock comes from. */
export interface StockSources {
  readonly inventory: UpstreamClient
  /** The stock last read per product: fresh figures skip the call, older ones stand in for a failed one. */
  readonly kept: KeptStock
  /** Chunk calls in flight, shared by pages that ask for the same ids at the same time. */
  readonly calls: SharedReads<readonly StockItem[]>
  readonly hedging?: InventoryHedging | undefined
}

/** The stock of a page, and why some of it is missing or old. */
export interface PageStock {
  /** Stock by product id; a product missing here has `inventory: null`. */
  readonly byId: ReadonlyMap<number, number>
  /** Why stock is missing (any product without a figure) or else old; `undefined` when whole and fresh. */
  readonly degraded: DegradedReason | undefined
  /** True when some chunk was ended by the caller's deadline rather than by inventory. */
  readonly callerBudgetSpent: boolean
}

/**
 * The stock of `ids`: fresh kept figures as they are, the rest from inventory in concurrent chunks
 * of at most {@link INVENTORY_CHUNK_SIZE} ids within `window`. A chunk that fails leaves its
 * products with their last figure within the stale-if-error window, or without one.
 */
export async function fetchStock(sources: StockSources, ids: readonly number[], window: Deadline, common: CallCommon): Promise<PageStock> {
  const { known: byId, missing } = sources.kept.lookUp(ids)
  if (missing.length === 0) {
    return { byId, degraded: undefined, callerBudgetSpent: false }
  }
  const chunks: number[][] = []
  for (let start = 0; start < missing.length; start += INVENTORY_CHUNK_SIZE) {
    chunks.push(missing.slice(start, start + INVENTORY_CHUNK_SIZE))
  }
  const callChunk = chunkCaller(sources, window, common, chunks.length)
  const calls: Record<string, (context: { signal: AbortSignal }) => Promise<readonly StockItem[]>> = {}
  for (const [index, chunk] of chunks.entries()) {
    calls[`chunk${index}`] = ({ signal }) => callChunk(chunk, signal)
  }
  const outcomes = await settle(calls, { timeoutMs: settleLimitMs(window), signal: common.signal })
  let failure: DegradedReason | undefined
  let stale = false
  let callerBudgetSpent = false
  for (const [index, chunk] of chunks.entries()) {
    const outcome = outcomes[`chunk${index}`]
    callerBudgetSpent ||= endedByCallerBudget(outcome)
    if (outcome?.status === 'fulfilled') {
      for (const item of outcome.value) {
        byId.set(item.product_id, item.inventory)
      }
      continue
    }
    for (const id of chunk) {
      const last = sources.kept.stale(id)
      if (last === undefined) {
        failure ??= reasonOf(outcome)
      } else {
        byId.set(id, last)
        stale = true
      }
    }
  }
  return { byId, degraded: failure ?? (stale ? 'stale' : undefined), callerBudgetSpent }
}

/**
 * Calls inventory for one chunk, shared with every page asking for the same ids meanwhile. Each
 * page waits with its own signal and deadline and gives up alone; a page that joined a call cut
 * short by its starter's deadline calls again with its own (see `SharedReads`).
 */
function chunkCaller(sources: StockSources, window: Deadline, common: CallCommon, chunkCount: number): (chunk: readonly number[], signal: AbortSignal) => Promise<readonly StockItem[]> {
  const { inventory, hedging } = sources
  const requestId = common.requestId === undefined ? {} : { requestId: common.requestId }
  const fetchChunk = async (chunk: readonly number[], signal: AbortSignal, hedgeCopy?: number): Promise<readonly StockItem[]> => {
    const startedAt = performance.now()
    const copy = hedgeCopy === undefined ? {} : { hedgeCopy }
    const { items } = await inventory.getJson(`/inventory?product_ids=${chunk.join(',')}`, { ...requestId, ...copy, signal, deadline: common.deadline, ownDeadline: window, route: '/inventory', parse: parseStockList })
    hedging?.latency.record(performance.now() - startedAt)
    // Only the stock this call asked for: a confused downstream must not fill in products whose
    // own chunk failed, nor products not on the page.
    const asked = new Set(chunk)
    const answered = items.filter((item) => asked.has(item.product_id))
    sources.kept.remember(answered)
    return answered
  }
  const p95 = hedging?.latency.quantile(0.95)
  const delayMs = hedging === undefined || p95 === undefined ? undefined : Math.min(Math.max(p95, hedging.minDelayMs), window.timeoutMs / 2)
  const hedges = { left: MAX_INVENTORY_CALLS_PER_PAGE - chunkCount }
  const start = delayMs === undefined || hedging === undefined
    ? fetchChunk
    : (chunk: readonly number[], signal: AbortSignal) => hedges.left <= 0
      ? fetchChunk(chunk, signal)
      : hedgedChunk(inventory, hedging, delayMs, hedges, signal, (copySignal, copy) => fetchChunk(chunk, copySignal, copy))
  return (chunk, signal) => sources.calls.read(chunk.join(','), (shared) => start(chunk, shared), AbortSignal.any([signal, common.deadline.signal]))
}

/**
 * One chunk call with at most one hedge. The hedge needs one of the page's spare inventory calls,
 * the inventory breaker closed and a token of the retry budget; refused, it fails with the first
 * copy's error when there is one, so the page reports why the first copy failed, not that no hedge
 * was allowed.
 */
function hedgedChunk(
  inventory: UpstreamClient,
  hedging: InventoryHedging,
  delayMs: number,
  hedges: { left: number },
  signal: AbortSignal,
  fetchChunk: (signal: AbortSignal, copy: number) => Promise<readonly StockItem[]>,
): Promise<readonly StockItem[]> {
  let firstError: unknown
  return hedge(async ({ signal: copySignal, attempt }) => {
    if (attempt === 1) {
      try {
        return await fetchChunk(copySignal, attempt)
      } catch (error) {
        firstError = error
        throw error
      }
    }
    if (hedges.left <= 0 || inventory.breaker.state !== 'closed' || !inventory.retryBudget.tryAcquireRetry()) {
      throw firstError ?? new Error('hedge refused: the page\'s inventory calls, the breaker or the retry budget')
    }
    hedges.left--
    hedging.onHedge?.()
    return fetchChunk(copySignal, attempt)
  }, { delayMs, maxHedges: 1, signal, ...(isTracing() ? { listener: policySpanEvents } : {}) })
}
