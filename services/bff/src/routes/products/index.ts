import { IdParam } from '@storefront/contracts'
import { AppError, type RoutePlugin, kitErrors, parseId } from '@storefront/service-kit'

import type { PageCaches } from '../../cache/page-caches.js'
import type { BffEnv } from '../../config.js'
import type { InventoryHedging } from '../../domain/fetch-stock.js'
import { type CataloguePage, type ProductsPageClients, getProductsPage } from '../../domain/get-products-page.js'
import type { DownstreamMetrics } from '../../metrics/downstream-metrics.js'
import { LatencyTracker } from '../../metrics/latency-tracker.js'

const count = { type: ['integer', 'null'] } as const
const reason = { type: 'string', enum: ['timeout', 'error', 'circuit_open', 'stale'] } as const

/** The most products one page may ask for. */
const MAX_LIMIT = 1000

/** `?limit=N&after=ID`: both optional; digits only, checked as strings so nothing is coerced. */
const pagingQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' }, after: IdParam },
} as const

/** The 200 body of `GET /products/all`; products keep every field their service sends. */
const productsPageSchema = {
  type: 'object',
  required: ['cart_items', 'favorite_items', 'products', 'degraded', 'degraded_reasons'],
  properties: {
    cart_items: count,
    favorite_items: count,
    products: {
      type: 'array',
      items: {
        type: 'object',
        required: ['product_id', 'product_name', 'inventory'],
        // Fields the products service adds later (price, images, …) pass through untouched.
        additionalProperties: true,
        properties: {
          product_id: { type: 'integer' },
          product_name: { type: 'string' },
          inventory: { type: ['integer', 'null'] },
        },
      },
    },
    degraded: { type: 'array', items: { type: 'string', enum: ['products', 'cart', 'favorites', 'inventory'] } },
    degraded_reasons: {
      type: 'object',
      additionalProperties: false,
      properties: { products: reason, cart: reason, favorites: reason, inventory: reason },
    },
    next_after: { type: ['integer', 'null'] },
  },
} as const

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
  app.get<{ Querystring: { limit?: string; after?: string } }>('/products/all', {
    config: { auth: 'optional' },
    schema: {
      summary: 'The catalogue with stock, and the signed-in user\'s cart and favorites counts; one page of it with ?limit=N&after=ID',
      tags: ['products'],
      querystring: pagingQuery,
      response: { 200: productsPageSchema },
    },
  }, async (request, reply) => {
    const page = await getProductsPage(deps.clients, {
      userId: request.userId,
      page: cataloguePage(request.query),
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
