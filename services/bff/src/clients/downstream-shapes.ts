import { CartLine, CartLines, FavoriteList, ProductList, StockList, answerCheck } from '@storefront/contracts'

/**
 * Checks of the downstreams' JSON against the schemas each service answers with
 * (`@storefront/contracts`). Each returns the body it was given, typed, or throws a `TypeError`
 * naming the first thing wrong; the upstream client turns that into `UPSTREAM_ERR_BAD_BODY`, so a
 * bad body counts as a failure of the call. Nothing here copies a body: whoever adds to what a
 * downstream sent builds a new object for it.
 */

/** `GET /products`: `[{ product_id, product_name, … }]`, every field the service sends kept. */
export const parseProducts = answerCheck(ProductList, 'products')

/** `GET /inventory?product_ids=…`: `{ items: [{ product_id, inventory }] }`. */
export const parseStockList = answerCheck(StockList, 'inventory')

/** `GET /users/{id}/cart`: `[{ product_id, quantity }]`. */
export const parseCartLines = answerCheck(CartLines, 'cart')

/** `POST /users/{id}/cart/items`: the line as it now is. */
export const parseCartLine = answerCheck(CartLine, 'cart line')

/** `GET /users/{id}/favorites`: `[{ product_id }]`. */
export const parseFavorites = answerCheck(FavoriteList, 'favorites')
