import { randomUUID } from 'node:crypto'

import { AddCartItem, CartLine, CartLines, IDEMPOTENCY_KEY_HEADER, Id, IdempotencyKey } from '@storefront/contracts'
import { type RoutePlugin, kitErrors, parseId } from '@storefront/service-kit'
import { Type } from 'typebox'

import { signedInUser } from '../../auth/auth-plugin.js'
import type { DownstreamClients } from '../../clients/downstream-clients.js'
import { parseCartLine, parseCartLines } from '../../clients/downstream-shapes.js'
import { relayClientError } from '../../clients/relay-client-error.js'
import { userCallOptions } from '../../clients/user-call-options.js'
import type { BffEnv } from '../../config.js'
import { relayedCartErrors } from '../../openapi/relayed-errors.js'
import { ProductIdParams } from '../../schemas/product-id-params.js'

/**
 * The body of `POST /cart/items`: the cart service's own, with the quantity filled in (one) when
 * it is left out, so what goes down always names it.
 */
const AddItemBody = Type.Object({
  product_id: Id,
  quantity: Type.Optional(Type.With(AddCartItem.properties.quantity, { default: 1 })),
}, { additionalProperties: false })

/** An `Idempotency-Key`, as the cart service takes it. */
const AddItemHeaders = Type.Object({ [IDEMPOTENCY_KEY_HEADER]: Type.Optional(IdempotencyKey) })

/** What the cart routes need. */
export interface CartRoutesDeps {
  readonly env: Pick<BffEnv, 'WRITE_TIMEOUT_MS'>
  readonly clients: Pick<DownstreamClients, 'cart'>
}

/**
 * `GET /cart`, `POST /cart/items` and `DELETE /cart/items/{product_id}`: the signed-in user's cart.
 *
 * Every add goes down with an idempotency key (the caller's `Idempotency-Key`, or one made here),
 * so the client may retry it after a lost answer and a retry never adds twice. A caller that
 * retries the request itself must send its own key to get the same guarantee end to end.
 */
export const cartRoutes: RoutePlugin<CartRoutesDeps> = async (app, deps) => {
  const { cart } = deps.clients
  // Any failure of the cart service that is not the caller's: 502, or 503 while its breaker is open.
  const downstream = [kitErrors.UPSTREAM_FAILED, kitErrors.UPSTREAM_UNAVAILABLE]
  app.get('/cart', {
    config: { auth: 'required', docs: { errors: downstream, headers: ['cache-control'], response: [{ product_id: 1, quantity: 1 }, { product_id: 2, quantity: 3 }] } },
    schema: { summary: 'The signed-in user\'s cart lines', tags: ['cart'], response: { 200: CartLines } },
  }, async (request, reply) => {
    const lines = await cart.getJson(`/users/${signedInUser(request)}/cart`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/cart',
      parse: parseCartLines,
    })
    void reply.header('cache-control', 'private, no-store')
    return lines
  })

  app.post('/cart/items', {
    config: {
      auth: 'required',
      docs: {
        errors: [...downstream, ...Object.values(relayedCartErrors)],
        headers: ['idempotency-replayed', 'cache-control'],
        request: { headers: { [IDEMPOTENCY_KEY_HEADER]: 'add-2-8c1f' }, body: { product_id: 2, quantity: 2 } },
        response: { product_id: 2, quantity: 5 },
      },
    },
    schema: { summary: 'Add to the signed-in user\'s cart', tags: ['cart'], headers: AddItemHeaders, body: AddItemBody, response: { 201: CartLine } },
  }, async (request, reply) => {
    const userId = signedInUser(request)
    const response = await cart.send('POST', `/users/${userId}/cart/items`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/cart/items',
      body: { product_id: request.body.product_id, quantity: request.body.quantity },
      idempotencyKey: request.headers[IDEMPOTENCY_KEY_HEADER] ?? `bff-${randomUUID()}`,
      parse: parseCartLine,
    }).catch(relayClientError)
    const replayed = response.headers['idempotency-replayed']
    if (typeof replayed === 'string') {
      void reply.header('idempotency-replayed', replayed)
    }
    void reply.code(201).header('cache-control', 'no-store')
    return response.body
  })

  app.delete('/cart/items/:product_id', {
    config: { auth: 'required', docs: { errors: downstream, noContent: true, request: { params: { product_id: '2' } } } },
    schema: { summary: 'Remove a line from the signed-in user\'s cart (idempotent)', tags: ['cart'], params: ProductIdParams },
  }, async (request, reply) => {
    const userId = signedInUser(request)
    const productId = parseId(request.params.product_id, 'product_id')
    await cart.send('DELETE', `/users/${userId}/cart/items/${productId}`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/cart/items/:product_id',
    }).catch(relayClientError)
    return reply.code(204).send()
  })
}
