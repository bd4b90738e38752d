import { AddCartItem, CartLine, CartLines, IDEMPOTENCY_KEY_HEADER, IdParam, IdempotencyKey } from '@storefront/contracts'
import { type Database, type RoutePlugin, parseId } from '@storefront/service-kit'
import { Type } from 'typebox'

import type { CartRepository } from '../../data-access/cart-repository.js'
import { addCartItem } from '../../domain/add-cart-item.js'
import { cartErrors } from '../../errors.js'

/** What the cart routes need. */
export interface CartRoutesDeps {
  /** For the transaction of an idempotent add. */
  readonly db: Database
  readonly cart: CartRepository
}

/** `/users/{id}/…`. */
const UserParams = Type.Object({ id: IdParam })

/** `/users/{id}/cart/items/{product_id}`. */
const LineParams = Type.Object({ id: IdParam, product_id: IdParam })

/** The add's headers: an optional `Idempotency-Key`; other headers pass untouched. */
const AddItemHeaders = Type.Object({ [IDEMPOTENCY_KEY_HEADER]: Type.Optional(IdempotencyKey) })

/**
 * `GET /users/{id}/cart`, `POST /users/{id}/cart/items` (with an optional `Idempotency-Key`) and
 * `DELETE /users/{id}/cart/items/{product_id}`. The add's rules live in `domain/add-cart-item.ts`.
 */
export const cartRoutes: RoutePlugin<CartRoutesDeps> = async (app, deps) => {
  const tags = ['cart']
  app.get('/users/:id/cart', {
    config: { docs: { request: { params: { id: '1' } }, response: [{ product_id: 1, quantity: 1 }, { product_id: 2, quantity: 3 }] } },
    schema: { summary: 'A user\'s cart lines; `[]` when empty', tags, params: UserParams, response: { 200: CartLines } },
  }, async (request) => {
    return deps.cart.list(parseId(request.params.id, 'id'), request.abortSignal)
  })

  app.post(
    '/users/:id/cart/items',
    {
      config: {
        docs: {
          headers: ['idempotency-replayed'],
          errors: [cartErrors.QUANTITY_LIMIT, cartErrors.IDEMPOTENCY_KEY_REUSED, cartErrors.IDEMPOTENCY_KEY_IN_PROGRESS],
          request: { params: { id: '1' }, headers: { [IDEMPOTENCY_KEY_HEADER]: 'add-2-8c1f' }, body: { product_id: 2, quantity: 2 } },
          response: { product_id: 2, quantity: 5 },
        },
      },
      schema: { summary: 'Add to a line of a user\'s cart (idempotent with an Idempotency-Key)', tags, params: UserParams, headers: AddItemHeaders, body: AddCartItem, response: { 201: CartLine } },
    },
    async (request, reply) => {
      const outcome = await addCartItem(
        deps.db,
        {
          userId: parseId(request.params.id, 'id'),
          productId: request.body.product_id,
          quantity: request.body.quantity ?? 1,
          idempotencyKey: request.headers[IDEMPOTENCY_KEY_HEADER],
        },
        request.abortSignal,
      )
      if (outcome.replayed) {
        void reply.header('idempotency-replayed', 'true')
      }
      return reply.code(outcome.statusCode).send(outcome.line)
    },
  )

  app.delete('/users/:id/cart/items/:product_id', {
    config: { docs: { noContent: true, request: { params: { id: '1', product_id: '2' } } } },
    schema: { summary: 'Remove a line from a user\'s cart (idempotent)', tags, params: LineParams },
  }, async (request, reply) => {
    await deps.cart.remove(parseId(request.params.id, 'id'), parseId(request.params.product_id, 'product_id'), request.abortSignal)
    return reply.code(204).send()
  })
}
