import { type Database, parseId } from '@storefront/service-kit'
import type { FastifyInstance } from 'fastify'

import type { CartRepository } from '../../data-access/cart-repository.js'
import { addCartItem } from '../../domain/add-cart-item.js'
import { type AddItemBody, IDEMPOTENCY_KEY_HEADER, addItemBody, addItemHeaders, cartLine, lineParams, userParams } from './schemas.js'

/** What the cart routes need. */
export interface CartRoutesDeps {
  /** For the transaction of an idempotent add. */
  readonly db: Database
  readonly cart: CartRepository
}

/**
 * `GET /users/{id}/cart`, `POST /users/{id}/cart/items` (with an optional `Idempotency-Key`) and
 * `DELETE /users/{id}/cart/items/{product_id}`. The add's rules live in `domain/add-cart-item.ts`.
 */
export function cartRoutes(app: FastifyInstance, deps: CartRoutesDeps): void {
  app.get<{ Params: { id: string } }>(
    '/users/:id/cart',
    { schema: { params: userParams, response: { 200: { type: 'array', items: cartLine } } } },
    async (request) => deps.cart.list(parseId(request.params.id, 'id'), request.abortSignal),
  )

  app.post<{ Params: { id: string }; Body: AddItemBody; Headers: { [IDEMPOTENCY_KEY_HEADER]?: string } }>(
    '/users/:id/cart/items',
    { schema: { params: userParams, headers: addItemHeaders, body: addItemBody, response: { 201: cartLine } } },
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

  app.delete<{ Params: { id: string; product_id: string } }>(
    '/users/:id/cart/items/:product_id',
    { schema: { params: lineParams } },
    async (request, reply) => {
      await deps.cart.remove(parseId(request.params.id, 'id'), parseId(request.params.product_id, 'product_id'), request.abortSignal)
      return reply.code(204).send()
    },
  )
}
