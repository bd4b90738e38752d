import { setMaxListeners } from 'node:events'

import { Deadline, type SettleOutcome, TimeoutError, hedge, isCircuitOpenError, isTimeoutError, settle } from '@storefront/resilience'
import { type UpstreamClient, isOwnTimeout } from '@storefront/service-kit/clients'

import { type CartLine, type Favorite, type ProductRecord, type StockItem, parseCartLines, parseFavorites, parseProducts, parseStockItems } from '../clients/downstream-shapes.js'
import type { LatencyTracker } from '../metrics/latency-tracker.js'

/** The most ids one `GET /inventory` call carries (the contract's chunk size). */
const INVENTORY_CHUNK_SIZE = 100

/**
 * The most inventory calls one page makes, hedges included: hedging may use what the chunks leave
 * (a 10 000-product page is 100 chunks and gets no hedge), so a big catalogue never multiplies
 * the load on inventory.
 */
const MAX_INVENTORY_CALLS_PER_PAGE = 100

/**
 * The reason calls still running are aborted with once the page is answered. One shared value:
 * a `DOMException` per page would capture a stack trace each time, for nothing.
 */
const PAGE_ANSWERED = new DOMException('The page was answered', 'AbortError')

/** What an optional part of the page is missing for. */
type DegradedReason = 'timeout' | 'error' | 'circuit_open'

/** The optional parts of the page, as named in `degraded`. */
type DegradedPart = 'cart' | 'favorites' | 'inventory'

/** A product of the page: every field products sent, plus its stock (null when it did not arrive). */
type PageProduct = ProductRecord & { readonly inventory: number | null }

/** The body of `GET /products/all`. */
export interface ProductsPage {
  readonly cart_items: number | null
  readonly favorite_items: number | null
  readonly products: PageProduct[]
  readonly degraded: DegradedPart[]
  readonly degraded_reasons: Partial<Record<DegradedPart, DegradedReason>>
}

/** The downstreams the page is made of. */
export interface ProductsPageClients {
  readonly products: UpstreamClient
  readonly inventory: UpstreamClient
  readonly favorites: UpstreamClient
  readonly cart: UpstreamClient
}

/** Options of {@link getProductsPage}. */
export interface ProductsPageOptions {
  /** The signed-in user, or `undefined` for an anonymous visitor (no cart, no favorites). */
  readonly userId: number | undefined
  /** The window for products, cart and favorites, in ms. */
  readonly productsTimeoutMs: number
  /** The window for inventory, counted from the products answer, in ms. */
  readonly inventoryTimeoutMs: number
  /** The caller's signal: aborting it cancels every downstream call. */
  readonly signal: AbortSignal
  /**
   * The caller's deadline (the incoming request's): no call outlives it, and a call it cuts short
   * is the caller's business, never counted against a downstream's breaker.
   */
  readonly deadline: Deadline
  /** Passed on as `x-request-id`. */
  readonly requestId?: string
  /** Hedging of slow inventory chunks; without it each chunk is one call. */
  readonly hedging?: InventoryHedging
}

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

/**
 * Builds the products page. Products, cart and favorites start together; inventory starts the
 * moment products answers, in concurrent chunks of at most {@link INVENTORY_CHUNK_SIZE} ids.
 *
 * Products is required: its `TimeoutError` (504), `UpstreamError` (502) or `CircuitOpenError`
 * (503) is thrown as is, for the kit's problem mapper. Cart, favorites and inventory are optional:
 * what did not answer well within its window is null and named in `degraded` with its reason.
 * Every call still running when this returns or throws is aborted.
 */
export async function getProductsPage(clients: ProductsPageClients, options: ProductsPageOptions): Promise<ProductsPage> {
  options.signal.throwIfAborted()
  // One scope for every call of this page: aborted when the caller goes away, and always on the
  // way out, so that nothing keeps running once the answer is decided.
  const scope = new AbortController()
  // One listener per downstream call, and a big catalogue makes 100 inventory calls: not a leak.
  setMaxListeners(0, scope.signal)
  const cancel = (): void => {
    scope.abort(options.signal.reason)
  }
  options.signal.addEventListener('abort', cancel, { once: true })
  try {
    // The downstreams' own window: missing it counts against their breakers. The caller's deadline
    // bounds every call too, but running out of it is the caller's business.
    const window = Deadline.after(options.productsTimeoutMs)
    const requestId = options.requestId === undefined ? {} : { requestId: options.requestId }
    const productsCall = clients.products.getJson('/products', { ...requestId, signal: scope.signal, deadline: options.deadline, ownDeadline: window, route: '/products', parse: parseProducts })
    const common: CallCommon = { ...requestId, signal: scope.signal, deadline: options.deadline }
    // With products' circuit open the page is a 503 whatever cart and favorites say: do not start
    // calls only to abort them (each abort costs a connection), so a refused page stays cheap.
    const optional = clients.products.breaker.state === 'open'
      ? Promise.resolve({ cart: undefined, favorites: undefined })
      : fetchCartAndFavorites(clients, options.userId, window, common)
    // If products fails, `optional` is left behind and rejects when the scope aborts: not an error.
    optional.catch(noop)
    const products = await productsCall
    const ids = products.map((product) => product.product_id)
    const stock = await fetchStock(clients.inventory, ids, Deadline.after(options.inventoryTimeoutMs), common, options.hedging)
    const { cart, favorites } = await optional
    if (stock.callerBudgetSpent || endedByCallerBudget(cart) || endedByCallerBudget(favorites)) {
      // The caller's budget ran out before the page was whole: the contract's 504, not a page
      // that blames a downstream for the caller's hurry.
      throw new TimeoutError(options.deadline.timeoutMs)
    }

    const degraded: DegradedPart[] = []
    const reasons: Partial<Record<DegradedPart, DegradedReason>> = {}
    const note = (part: DegradedPart, reason: DegradedReason | undefined): void => {
      if (reason !== undefined) {
        degraded.push(part)
        reasons[part] = reason
      }
    }
    const cartItems = countOf(cart)
    const favoriteItems = countOf(favorites)
    note('cart', reasonOf(cart))
    note('favorites', reasonOf(favorites))
    note('inventory', stock.failure)
    return {
      cart_items: cartItems,
      favorite_items: favoriteItems,
      products: products.map((product) => ({ ...product, inventory: stock.byId.get(product.product_id) ?? null })),
      degraded,
      degraded_reasons: reasons,
    }
  } finally {
    options.signal.removeEventListener('abort', cancel)
    scope.abort(PAGE_ANSWERED)
  }
}

/** What every call of a page carries. */
interface CallCommon {
  readonly signal: AbortSignal
  readonly deadline: Deadline
  readonly requestId?: string
}

/**
 * How long past a window `settle` waits before it gives up on a call itself. Each call ends at its
 * window (the downstream's own timeout, counted by its breaker) or at the caller's deadline (the
 * caller's business) on its own; `settle`'s limit only guards against a call that does neither,
 * and must not race them, or the caller's abort would be taken for the downstream's timeout.
 */
const SETTLE_GRACE_MS = 25

/** The time `settle` may wait for calls bounded by `window`. */
function settleLimitMs(window: Deadline): number {
  return window.remainingMs() + SETTLE_GRACE_MS
}

/** How an optional part ended: absent for an anonymous visitor. */
type OptionalOutcome<T> = SettleOutcome<T> | undefined

async function fetchCartAndFavorites(
  clients: ProductsPageClients,
  userId: number | undefined,
  window: Deadline,
  common: CallCommon,
): Promise<{ cart: OptionalOutcome<CartLine[]>; favorites: OptionalOutcome<Favorite[]> }> {
  if (userId === undefined) {
    return { cart: undefined, favorites: undefined }
  }
  const call = { ...common, ownDeadline: window }
  return settle({
    cart: ({ signal }) => clients.cart.getJson(`/users/${userId}/cart`, { ...call, signal, route: '/users/:id/cart', parse: parseCartLines }),
    favorites: ({ signal }) => clients.favorites.getJson(`/users/${userId}/favorites`, { ...call, signal, route: '/users/:id/favorites', parse: parseFavorites }),
  }, { timeoutMs: settleLimitMs(window), signal: common.signal })
}

/** The stock that arrived, and why some did not. */
interface Stock {
  readonly byId: ReadonlyMap<number, number>
  readonly failure: DegradedReason | undefined
  /** True when some chunk was ended by the caller's deadline rather than by inventory. */
  readonly callerBudgetSpent: boolean
}

async function fetchStock(
  inventory: UpstreamClient,
  ids: readonly number[],
  window: Deadline,
  common: CallCommon,
  hedging: InventoryHedging | undefined,
): Promise<Stock> {
  if (ids.length === 0) {
    return { byId: new Map(), failure: undefined, callerBudgetSpent: false }
  }
  const call = { ...common, ownDeadline: window }
  const fetchChunk = async (chunk: readonly number[], signal: AbortSignal): Promise<StockItem[]> => {
    const startedAt = performance.now()
    const items = await inventory.getJson(`/inventory?product_ids=${chunk.join(',')}`, { ...call, signal, route: '/inventory', parse: parseStockItems })
    hedging?.latency.record(performance.now() - startedAt)
    // Only the stock this call asked for: a confused downstream must not fill in products whose
    // own chunk failed, nor products not on the page.
    const asked = new Set(chunk)
    return items.filter((item) => asked.has(item.product_id))
  }
  const p95 = hedging?.latency.quantile(0.95)
  const delayMs = hedging === undefined || p95 === undefined ? undefined : Math.min(Math.max(p95, hedging.minDelayMs), window.timeoutMs / 2)
  const calls: Record<string, (context: { signal: AbortSignal }) => Promise<StockItem[]>> = {}
  const hedges = { left: MAX_INVENTORY_CALLS_PER_PAGE - Math.ceil(ids.length / INVENTORY_CHUNK_SIZE) }
  for (let start = 0; start < ids.length; start += INVENTORY_CHUNK_SIZE) {
    const chunk = ids.slice(start, start + INVENTORY_CHUNK_SIZE)
    calls[`chunk${start}`] = delayMs === undefined || hedging === undefined || hedges.left <= 0
      ? ({ signal }) => fetchChunk(chunk, signal)
      : ({ signal }) => hedgedChunk(inventory, hedging, delayMs, hedges, signal, (copySignal) => fetchChunk(chunk, copySignal))
  }
  const outcomes = await settle(calls, { timeoutMs: settleLimitMs(window), signal: common.signal })
  const byId = new Map<number, number>()
  let failure: DegradedReason | undefined
  let callerBudgetSpent = false
  for (const outcome of Object.values(outcomes)) {
    callerBudgetSpent ||= endedByCallerBudget(outcome)
    const reason = reasonOf(outcome)
    if (reason !== undefined) {
      failure ??= reason
      continue
    }
    for (const item of outcome.status === 'fulfilled' ? outcome.value : []) {
      byId.set(item.product_id, item.inventory)
    }
  }
  return { byId, failure, callerBudgetSpent }
}

/**
 * One chunk call with at most one hedge. The hedge needs one of the page's spare inventory calls,
 * the inventory breaker closed and a token of the retry budget; refused, it fails with the first copy's error when there is one, so the
 * page reports why the first copy failed, not that no hedge was allowed.
 */
function hedgedChunk(
  inventory: UpstreamClient,
  hedging: InventoryHedging,
  delayMs: number,
  hedges: { left: number },
  signal: AbortSignal,
  fetchChunk: (signal: AbortSignal) => Promise<StockItem[]>,
): Promise<StockItem[]> {
  let firstError: unknown
  return hedge(async ({ signal: copySignal, attempt }) => {
    if (attempt === 1) {
      try {
        return await fetchChunk(copySignal)
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
    return fetchChunk(copySignal)
  }, { delayMs, maxHedges: 1, signal })
}

/**
 * True when an optional call was ended by the caller's deadline: a `TimeoutError` that is not the
 * downstream's own (see `isOwnTimeout`).
 */
function endedByCallerBudget(outcome: SettleOutcome<unknown> | undefined): boolean {
  return outcome?.status === 'rejected' && isTimeoutError(outcome.reason) && !isOwnTimeout(outcome.reason)
}

/** Why an optional call did not answer well; `undefined` when it did (or was never made). */
function reasonOf(outcome: SettleOutcome<unknown> | undefined): DegradedReason | undefined {
  if (outcome === undefined || outcome.status === 'fulfilled') {
    return undefined
  }
  if (outcome.status === 'timeout' || isTimeoutError(outcome.reason)) {
    return 'timeout'
  }
  return isCircuitOpenError(outcome.reason) ? 'circuit_open' : 'error'
}

function countOf(outcome: SettleOutcome<readonly unknown[]> | undefined): number | null {
  return outcome?.status === 'fulfilled' ? outcome.value.length : null
}

function noop(): void {}
