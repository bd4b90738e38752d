import { AppError, parseId } from '@storefront/service-kit'
import type { FastifyInstance } from 'fastify'

import type { InventoryRepository } from '../../data-access/inventory-repository.js'
import { inventoryErrors } from '../../errors.js'
import { parseProductIds } from './product-id-list.js'
import { inventoryQuery, noQuery, productParams, stockAnswer, stockListAnswer } from './schemas.js'

/** What the inventory routes need. */
export interface InventoryRoutesDeps {
  readonly inventory: InventoryRepository
}

/**
 * `GET /products/{id}/inventory` (one product's stock) and `GET /inventory?product_ids=1,2,3`
 * (a batch, in request order, unknown ids left out).
 *
 * Answers are read from the database on every request (stock must be current) and serialized from
 * the response schemas. Every query gets the request's signal, so a spent deadline stops it.
 */
export function inventoryRoutes(app: FastifyInstance, deps: InventoryRoutesDeps): void {
  app.get<{ Params: { id: string } }>(
    '/products/:id/inventory',
    { schema: { params: productParams, querystring: noQuery, response: { 200: stockAnswer } } },
    async (request) => {
      const id = parseId(request.params.id, 'id')
      const inventory = await deps.inventory.find(id, request.abortSignal)
      if (inventory === undefined) {
        throw new AppError(inventoryErrors.STOCK_NOT_FOUND, `No stock for product ${id}.`)
      }
      return { inventory }
    },
  )

  app.get<{ Querystring: { product_ids: string } }>(
    '/inventory',
    { schema: { querystring: inventoryQuery, response: { 200: stockListAnswer } } },
    async (request) => {
      const ids = parseProductIds(request.query.product_ids)
      return { items: await deps.inventory.findMany(ids, request.abortSignal) }
    },
  )
}
