import { setMaxListeners } from 'node:events'

import type { CartLine, Favorite, Product, Static } from '@storefront/contracts'
import { Deadline, type SettleOutcome, TimeoutError, settle } from '@storefront/resilience'
import type { UpstreamClient } from '@storefront/service-kit/clients'

import type { Served } from '../cache/kept-reads.js'
import { isDownstreamFailure, type PageCaches } from '../cache/page-caches.js'
import { parseCartLines, parseFavorites, parseProducts } from '../clients/downstream-shapes.js'
import { type CallCommon, type DegradedReason, endedByCallerBudget, reasonOf, settleLimitMs } from './call-outcomes.js'
import { type InventoryHedging, fetchStock } from './fetch-stock.js'

/** The most products one `GET /products` call may ask for (the contract's limit). */
const MAX_PAGE_LIMIT = 1000

/**
 * The reason calls still running are aborted with once the page is answered. One shared value:
 * a `DOMException` per page would capture a stack trace each time, for nothing.
 */
const PAGE_ANSWERED = new DOMException('The page was answered', 'AbortError')

/** The parts of the page that may be missing or old, as named in `degraded`. */
type DegradedPart = 'products' | 'cart' | 'favorites' | 'inventory'

/** A product as products sent it: every field kept. */
type ProductRecord = Static<typeof Product>

/** A product of the page: every field products sent, plus its stock (null when it did not arrive). */
type PageProduct = ProductRecord & { readonly inventory: number | null }

/** The body of `GET /products/all`. */
export interface ProductsPage {
  readonly cart_items: number | null
  readonly favorite_items: number | null
  readonly products: PageProduct[]
  readonly degraded: DegradedPart[]
  readonly degraded_reasons: Partial<Record<DegradedPart, DegradedReason>>
  /** Paged: the last id of this page, to ask for the next with; null on the last page. */
  readonly next_after?: number | null
}

/** The downstreams the page is made of. */
export interface ProductsPageClients {
  readonly products: UpstreamClient
  readonly inventory: UpstreamClient
  readonly favorites: UpstreamClient
  readonly cart: UpstreamClient
}

/** One page of the catalogue: at most `limit` products after `after`, in `product_id` order. */
export interface CataloguePage {
  /** 1..1000. */
  readonly limit: number
  /** The last id of the page before; 0 for the first page. */
  readonly after: number
}

/** Options of {@link getProductsPage}. */
export interface ProductsPageOptions {
  /** The signed-in user, or `undefined` for an anonymous visitor (no cart, no favorites). */
  readonly userId: number | undefined
  /** One page of the catalogue; the whole catalogue when absent. */
  readonly page?: CataloguePage | undefined
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
  /** The catalogue and stock caches and the shared calls. */
  readonly caches: PageCaches
  /** Hedging of slow inventory chunks; without it each chunk is one call. */
  readonly hedging?: InventoryHedging
}

/**
 * Builds the products page. Products, cart and favorites start together; inventory starts the
 * moment the catalogue is known, for the products whose stock is not fresh in the cache.
 *
 * The catalogue and stock are read through {@link PageCaches}: served from memory while fresh,
 * read once for every page that needs them at the same time, and, when products or inventory
 * fails, replaced by what was read within the stale-if-error window, marked `"stale"`. Without a
 * usable catalogue, products' `TimeoutError` (504), `UpstreamError` (502) or `CircuitOpenError`
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
    const common: CallCommon = { signal: scope.signal, deadline: options.deadline, ...(options.requestId === undefined ? {} : { requestId: options.requestId }) }
    const catalogue = readCatalogue(clients.products, options, window, common)
    // With products' circuit open and no catalogue to stand in, the page is a 503 whatever cart
    // and favorites say: do not start calls only to abort them (each abort costs a connection).
    const optional = clients.products.breaker.state === 'open' && !options.caches.catalogue.canStandIn(catalogueKey(options.page))
      ? Promise.resolve({ cart: undefined, favorites: undefined })
      : fetchCartAndFavorites(clients, options.userId, window, common)
    // If products fails, `optional` is left behind and rejects when the scope aborts: not an error.
    optional.catch(noop)
    const { products, stale, nextAfter } = await catalogue
    const stock = await fetchStock(
      { inventory: clients.inventory, kept: options.caches.stock, calls: options.caches.stockCalls, hedging: options.hedging },
      products.map((product) => product.product_id),
      Deadline.after(options.inventoryTimeoutMs),
      common,
    )
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
    note('products', stale ? 'stale' : undefined)
    note('cart', reasonOf(cart))
    note('favorites', reasonOf(favorites))
    note('inventory', stock.degraded)
    return {
      cart_items: countOf(cart),
      favorite_items: countOf(favorites),
      // A new object per product: the catalogue is products' own checked body, kept in the cache
      // and shared by every page, so it is never written into.
      products: products.map((product) => ({ ...product, inventory: stock.byId.get(product.product_id) ?? null })),
      degraded,
      degraded_reasons: reasons,
      ...(nextAfter === undefined ? {} : { next_after: nextAfter }),
    }
  } finally {
    options.signal.removeEventListener('abort', cancel)
    scope.abort(PAGE_ANSWERED)
  }
}

/** The catalogue cache's key of a page. */
function catalogueKey(page: CataloguePage | undefined): string {
  return page === undefined ? 'all' : `${page.limit}:${page.after}`
}

/** The products of the page, whether they stand in for a failed read, and the paging cursor. */
interface CatalogueRead {
  readonly products: readonly ProductRecord[]
  readonly stale: boolean
  /** Paged only: the last id, or null on the last page. */
  readonly nextAfter?: number | null
}

/**
 * The catalogue, or one page of it, through the cache. A page asks products for one product more
 * than it shows, to know whether it is the last without another call; a page of the largest size
 * cannot, and asks for the one product after it separately (cached like any page).
 */
async function readCatalogue(products: UpstreamClient, options: ProductsPageOptions, window: Deadline, common: CallCommon): Promise<CatalogueRead> {
  const { page, caches } = options
  // Each page waits with its own deadline too: a shared read may have been started by a page
  // with more time (see SharedReads).
  const waitSignal = (): AbortSignal => AbortSignal.any([common.signal, common.deadline.signal])
  const read = (key: string, path: string): Served<readonly ProductRecord[]> | Promise<Served<readonly ProductRecord[]>> =>
    caches.catalogue.fresh(key) ?? caches.catalogue.get(
      key,
      (signal) => products.getJson(path, { ...common, signal, ownDeadline: window, route: '/products', parse: parseProducts }),
      waitSignal(),
      isDownstreamFailure,
    )
  if (page === undefined) {
    const served = await read('all', '/products')
    return { products: served.value, stale: served.stale }
  }
  const ask = Math.min(page.limit + 1, MAX_PAGE_LIMIT)
  const served = await read(catalogueKey(page), page.after === 0 ? `/products?limit=${ask}` : `/products?limit=${ask}&after=${page.after}`)
  const shown = served.value.length > page.limit ? served.value.slice(0, page.limit) : served.value
  const last = shown.at(-1)?.product_id
  if (last === undefined || shown.length < page.limit) {
    return { products: shown, stale: served.stale, nextAfter: null }
  }
  if (served.value.length > page.limit) {
    return { products: shown, stale: served.stale, nextAfter: last }
  }
  const beyond = await read(catalogueKey({ limit: 1, after: last }), `/products?limit=1&after=${last}`)
  return { products: shown, stale: served.stale || beyond.stale, nextAfter: beyond.value.length > 0 ? last : null }
}

/** How an optional part ended: absent for an anonymous visitor. */
type OptionalOutcome<T> = SettleOutcome<T> | undefined

async function fetchCartAndFavorites(
  clients: ProductsPageClients,
  userId: number | undefined,
  window: Deadline,
  common: CallCommon,
): Promise<{ cart: OptionalOutcome<Array<Static<typeof CartLine>>>; favorites: OptionalOutcome<Array<Static<typeof Favorite>>> }> {
  if (userId === undefined) {
    return { cart: undefined, favorites: undefined }
  }
  const call = { ...common, ownDeadline: window }
  return settle({
    cart: ({ signal }) => clients.cart.getJson(`/users/${userId}/cart`, { ...call, signal, route: '/users/:id/cart', parse: parseCartLines }),
    favorites: ({ signal }) => clients.favorites.getJson(`/users/${userId}/favorites`, { ...call, signal, route: '/users/:id/favorites', parse: parseFavorites }),
  }, { timeoutMs: settleLimitMs(window), signal: common.signal })
}

function countOf(outcome: SettleOutcome<readonly unknown[]> | undefined): number | null {
  return outcome?.status === 'fulfilled' ? outcome.value.length : null
}

function noop(): void {}
