import { IdParam, StockAnswer, StockList } from '@storefront/contracts'
import { AppError, type RoutePlugin, parseId } from '@storefront/service-kit'
import { Type } from 'typebox'

import type { InventoryRepository } from '../../data-access/inventory-repository.js'
import { inventoryErrors } from '../../errors.js'
import { ProductIdList, parseProductIds } from './product-id-list.js'

/** What the inventory routes need. */
export interface InventoryRoutesDeps {
  readonly inventory: InventoryRepository
}

/** `GET /products/{id}/inventory`. */
const ProductParams = Type.Object({ id: IdParam })

/** `GET /inventory`: `product_ids` and nothing else. */
const InventoryQuery = Type.Object({ product_ids: ProductIdList }, { additionalProperties: false })

/**
 * `GET /products/{id}/inventory` (one product's stock) and `GET /inventory?product_ids=1,2,3`
 * (a batch, in request order, unknown ids left out).
 *
 * Answers are read from the database on every request (stock must be current) and serialized from
 * the response schemas. Every query gets the request's signal, so a spent deadline stops it.
 */
export const inventoryRoutes: RoutePlugin<InventoryRoutesDeps> = async (app, deps) => {
  app.get('/products/:id/inventory', {
    config: { docs: { errors: [inventoryErrors.STOCK_NOT_FOUND], request: { params: { id: '2' } }, response: { inventory: 42 } } },
    schema: { summary: 'One product\'s stock on hand', tags: ['inventory'], params: ProductParams, response: { 200: StockAnswer } },
  }, async (request) => {
    const id = parseId(request.params.id, 'id')
    const inventory = await deps.inventory.find(id, request.abortSignal)
    if (inventory === undefined) {
      throw new AppError(inventoryErrors.STOCK_NOT_FOUND, `No stock for product ${id}.`)
    }
    return { inventory }
  })

  app.get('/inventory', {
    config: {
      docs: {
        errors: [inventoryErrors.TOO_MANY_IDS],
        request: { query: { product_ids: '3,1,99' } },
        response: { items: [{ product_id: 3, inventory: 7 }, { product_id: 1, inventory: 42 }] },
      },
    },
    schema: { summary: 'The stock of several products, in request order; unknown ids left out', tags: ['inventory'], querystring: InventoryQuery, response: { 200: StockList } },
  }, async (request) => {
    const ids = parseProductIds(request.query.product_ids)
    return { items: await deps.inventory.findMany(ids, request.abortSignal) }
  })
}
