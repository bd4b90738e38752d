import { Type } from 'typebox'

import { Id } from './ids.js'

/**
 * A product as `GET /products` and `GET /products/{id}` answer it. The contract promises the id
 * and the name; any other field (the products service sends `price_cents`) is passed on untouched
 * by the BFF, so a new column reaches the page without a change here.
 */
export const Product = Type.Object({
  product_id: Id,
  product_name: Type.String(),
  price_cents: Type.Optional(Type.Integer({ minimum: 0 })),
})

/** `GET /products`: the catalogue, or one keyset page of it, ordered by `product_id`. */
export const ProductList = Type.Array(Product)
