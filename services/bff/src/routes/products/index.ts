import { AppError, ID_PATTERN, kitErrors, parseId } from '@storefront/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'

import type { BffEnv } from '../../config.js'
import { type ProductsPageClients, getProductsPage } from '../../domain/get-products-page.js'

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
  readonly env: Pick<BffEnv, 'PRODUCTS_TIMEOUT_MS' | 'INVENTORY_TIMEOUT_MS' | 'TRUST_USER_HEADER'>
  readonly clients: ProductsPageClients
}

/**
 * `GET /products/all`: the catalogue with stock, and the user's cart and favorites counts. A
 * partial (degraded) page says so in `x-degraded` and must not be cached anywhere.
 */
export function productRoutes(app: FastifyInstance, deps: ProductRoutesDeps): void {
  app.get('/products/all', { schema: { response: { 200: productsPageSchema } } }, async (request, reply) => {
    const page = await getProductsPage(deps.clients, {
      userId: userOf(request, deps.env.TRUST_USER_HEADER),
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

/**
 * STAND-IN for sign-in (session cookie or bearer token), which does not exist yet: the user named
 * by `x-user-id`, only when `TRUST_USER_HEADER` is on; otherwise everyone is anonymous.
 */
function userOf(request: FastifyRequest, trustHeader: boolean): number | undefined {
  if (!trustHeader) {
    return undefined
  }
  const header = request.headers['x-user-id']
  if (header === undefined) {
    return undefined
  }
  if (typeof header !== 'string' || !new RegExp(ID_PATTERN).test(header)) {
    throw new AppError(kitErrors.BAD_REQUEST, 'x-user-id must be a positive 32-bit integer')
  }
  return parseId(header, 'x-user-id')
}
