import type { FastifyInstance } from 'fastify'

import type { BffEnv } from '../../config.js'
import { type InventoryHedging, type ProductsPageClients, getProductsPage } from '../../domain/get-products-page.js'
import type { DownstreamMetrics } from '../../metrics/downstream-metrics.js'
import { LatencyTracker } from '../../metrics/latency-tracker.js'

const count = { type: ['integer', 'null'] } as const
const reason = { type: 'string', enum: ['timeout', 'error', 'circuit_open'] } as const

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
    degraded: { type: 'array', items: { type: 'string', enum: ['cart', 'favorites', 'inventory'] } },
    degraded_reasons: {
      type: 'object',
      additionalProperties: false,
      properties: { cart: reason, favorites: reason, inventory: reason },
    },
  },
} as const

/** What the products page route needs. */
export interface ProductRoutesDeps {
  readonly env: Pick<BffEnv, 'PRODUCTS_TIMEOUT_MS' | 'INVENTORY_TIMEOUT_MS'>
  readonly clients: ProductsPageClients
  /** Counts hedged inventory calls. */
  readonly metrics?: Pick<DownstreamMetrics, 'hedged'>
}

/** The shortest hedge delay for an inventory chunk, in ms (loopback calls take 1-3 ms). */
const MIN_HEDGE_DELAY_MS = 25

/**
 * `GET /products/all`: the catalogue with stock, and the user's cart and favorites counts. A
 * partial (degraded) page says so in `x-degraded` and must not be cached anywhere.
 */
export function productRoutes(app: FastifyInstance, deps: ProductRoutesDeps): void {
  const metrics = deps.metrics
  const hedging: InventoryHedging = {
    latency: new LatencyTracker(),
    minDelayMs: MIN_HEDGE_DELAY_MS,
    ...(metrics === undefined ? {} : { onHedge: () => { metrics.hedged() } }),
  }
  app.get('/products/all', {
    config: { auth: 'optional' },
    schema: {
      summary: 'The catalogue with stock, and the signed-in user\'s cart and favorites counts',
      tags: ['products'],
      response: { 200: productsPageSchema },
    },
  }, async (request, reply) => {
    const page = await getProductsPage(deps.clients, {
      userId: request.userId,
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
