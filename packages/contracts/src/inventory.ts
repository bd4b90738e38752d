import { Type } from 'typebox'

import { Id } from './ids.js'

/** The most ids one `GET /inventory` may ask for. */
export const MAX_PRODUCT_IDS = 1000

/** Stock on hand: a whole number, never negative. */
const Stock = Type.Integer({ minimum: 0 })

/** `GET /products/{id}/inventory`. */
export const StockAnswer = Type.Object({ inventory: Stock })

/** One entry of `GET /inventory`. */
export const StockItem = Type.Object({ product_id: Id, inventory: Stock })

/** `GET /inventory?product_ids=…`: the ids it knows, in request order. */
export const StockList = Type.Object({ items: Type.Array(StockItem) })
