import { IdParam, Product } from '@storefront/contracts'
import { AppError, type RoutePlugin, StorefrontAttributes, kitErrors, parseId, serverSpanOf } from '@storefront/service-kit'
import { Type } from 'typebox'

import type { PageCaches } from '../../cache/page-caches.js'
import type { BffEnv } from '../../config.js'
import type { InventoryHedging } from '../../domain/fetch-stock.js'
import { type CataloguePage, type ProductsPageClients, getProductsPage } from '../../domain/get-products-page.js'
import type { DownstreamMetrics } from '../../metrics/downstream-metrics.js'
import { LatencyTracker } from '../../metrics/latency-tracker.js'
import { stringEnum } from '../../schemas/string-enum.js'

/**
 * A count, or null when it did not arrive: one JSON type list, which the serializer writes with a
 * `typeof` test (TypeBox's `Union` would be an `anyOf` it validates value by value, on every product).
 */
const CountOrNull = Type.Unsafe<number | null>({ type: ['integer', 'null'] })

const Reason = stringEnum(['timeout', 'error', 'circuit_open', 'stale'])

/** The most products one page may ask for. */
const MAX_LIMIT = 1000

/** `?limit=N&after=ID`: both optional; digits only, checked as strings so nothing is coerced. */
const PagingQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  after: Type.Optional(IdParam),
}, { additionalProperties: false })

/**
 * A product of the page: the contract's fields, named so the compiled serializer writes them
 * directly (a field it has to discover costs it a key loop per product: on a 10 000-product page,
 * 2.2 ms instead of 1.1 ms), plus its stock. Fields the products service adds later (images, …)
 * still pass through untouched.
 */
const PageProduct = Type.Object({
  ...Product.properties,
  inventory: CountOrNull,
}, { additionalProperties: true })

/** The 200 body of `GET /products/all`; `next_after` only when paged. */
const ProductsPage = Type.Object({
  cart_items: CountOrNull,
  favorite_items: CountOrNull,
  products: Type.Array(PageProduct),
  degraded: Type.Array(stringEnum(['products', 'cart', 'favorites', 'inventory'])),
  degraded_reasons: Type.Object({
    products: Type.Optional(Reason),
    cart: Type.Optional(Reason),
    favorites: Type.Optional(Reason),
    inventory: Type.Optional(Reason),
  }, { additionalProperties: false }),
  // The last id of a paged answer, or null on the last page.
  next_after: Type.Optional(Type.Unsafe<number | null>({ type: ['integer', 'null'] })),
})

/** What the products page route needs. */
export interface ProductRoutesDeps {
  readonly env: Pick<BffEnv, 'PRODUCTS_TIMEOUT_MS' | 'INVENTORY_TIMEOUT_MS'>
  readonly clients: ProductsPageClients
  /** The catalogue and stock caches of this process. */
  readonly caches: PageCaches
  /** Counts hedged inventory calls. */
  readonly metrics?: Pick<DownstreamMetrics, 'hedged'>
}

/** The shortest hedge delay for an inventory chunk, in ms (loopback calls take 1-3 ms). */
const MIN_HEDGE_DELAY_MS = 25

/**
 * `GET /products/all`: the catalogue with stock, and the user's cart and favorites counts. A
 * partial (degraded) page says so in `x-degraded` and must not be cached anywhere.
 */
export const productRoutes: RoutePlugin<ProductRoutesDeps> = async (app, deps) => {
  const metrics = deps.metrics
  const hedging: InventoryHedging = {
    latency: new LatencyTracker(),
    minDelayMs: MIN_HEDGE_DELAY_MS,
    ...(metrics === undefined ? {} : { onHedge: () => { metrics.hedged() } }),
  }
  app.get('/products/all', {
    config: {
      auth: 'optional',
      pageAdmission: true,
      docs: {
        // Products failing (502), its breaker open (503), or no answer within PRODUCTS_TIMEOUT_MS (the kit's 504).
        errors: [kitErrors.UPSTREAM_FAILED, kitErrors.UPSTREAM_UNAVAILABLE],
        headers: ['cache-control', 'x-degraded'],
        request: { query: { limit: '2', after: '1' } },
        response: {
          cart_items: 3,
          favorite_items: null,
          products: [{ product_id: 2, product_name: 'Mug', price_cents: 1200, inventory: 42 }, { product_id: 3, product_name: 'Teapot', price_cents: 3400, inventory: null }],
          degraded: ['favorites', 'inventory'],
          degraded_reasons: { favorites: 'timeout', inventory: 'circuit_open' },
          next_after: 3,
        },
      },
    },
    schema: {
      summary: 'The catalogue with stock, and the signed-in user\'s cart and favorites counts; one page of it with ?limit=N&after=ID',
      tags: ['products'],
      querystring: PagingQuery,
      response: { 200: ProductsPage },
    },
  }, async (request, reply) => {
    const asked = cataloguePage(request.query)
    const page = await getProductsPage(deps.clients, {
      userId: request.userId,
      page: asked,
      caches: deps.caches,
      hedging,
      productsTimeoutMs: deps.env.PRODUCTS_TIMEOUT_MS,
      inventoryTimeoutMs: deps.env.INVENTORY_TIMEOUT_MS,
      signal: request.abortSignal,
      deadline: request.deadline,
      requestId: request.id,
    })
    if (page.degraded.length > 0) {
      void reply.header('cache-control', 'no-store').header('x-degraded', page.degraded.join(', '))
      serverSpanOf(request)?.setAttribute(StorefrontAttributes.DEGRADED, [...page.degraded])
    } else {
      // The counts are the user's own: no shared cache may keep them.
      void reply.header('cache-control', 'private, no-cache')
    }
    return page
  })
}

/** The page asked for by `?limit=N&after=ID`; the whole catalogue without `limit`. */
function cataloguePage(query: { readonly limit?: string; readonly after?: string }): CataloguePage | undefined {
  if (query.limit === undefined) {
    if (query.after !== undefined) {
      // The whole catalogue has no "after"; quietly ignoring it would answer a page that was not asked for.
      throw new AppError(kitErrors.VALIDATION, 'after pages the catalogue: it needs limit')
    }
    return undefined
  }
  const after = query.after === undefined ? 0 : parseId(query.after, 'after')
  const limit = Number(query.limit)
  if (limit > MAX_LIMIT) {
    throw new AppError(kitErrors.VALIDATION, `limit must be from 1 to ${MAX_LIMIT}`)
  }
  return { limit, after }
}
