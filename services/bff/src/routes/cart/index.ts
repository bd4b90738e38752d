import { randomUUID } from 'node:crypto'

import { MAX_ID, type RoutePlugin, parseId } from '@storefront/service-kit'

import { signedInUser } from '../../auth/auth-plugin.js'
import type { DownstreamClients } from '../../clients/downstream-clients.js'
import { parseCartLine, parseCartLines } from '../../clients/downstream-shapes.js'
import { relayClientError } from '../../clients/relay-client-error.js'
import { userCallOptions } from '../../clients/user-call-options.js'
import type { BffEnv } from '../../config.js'
import { productIdParams } from '../../schemas/product-id-params.js'

const IDEMPOTENCY_KEY = 'idempotency-key'

const addItemBody = {
  type: 'object',
  required: ['product_id'],
  additionalProperties: false,
  properties: {
    product_id: { type: 'integer', minimum: 1, maximum: MAX_ID },
    quantity: { type: 'integer', minimum: 1, maximum: 999, default: 1 },
  },
} as const

const addItemHeaders = {
  type: 'object',
  properties: {
    // As the cart service takes it: 1..255 printable ASCII characters.
    [IDEMPOTENCY_KEY]: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  },
} as const

const cartLine = {
  type: 'object',
  required: ['product_id', 'quantity'],
  properties: { product_id: { type: 'integer' }, quantity: { type: 'integer' } },
} as const

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
  app.get('/cart', {
    config: { auth: 'required' },
    schema: { summary: 'The signed-in user\'s cart lines', tags: ['cart'], response: { 200: { type: 'array', items: cartLine } } },
  }, async (request, reply) => {
    const lines = await cart.getJson(`/users/${signedInUser(request)}/cart`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/cart',
      parse: parseCartLines,
    })
    void reply.header('cache-control', 'private, no-store')
    return lines
  })

  app.post<{ Body: { product_id: number; quantity: number }; Headers: { [IDEMPOTENCY_KEY]?: string } }>('/cart/items', {
    config: { auth: 'required' },
    schema: { summary: 'Add to the signed-in user\'s cart', tags: ['cart'], headers: addItemHeaders, body: addItemBody, response: { 201: cartLine } },
  }, async (request, reply) => {
    const userId = signedInUser(request)
    const response = await cart.send('POST', `/users/${userId}/cart/items`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/cart/items',
      body: { product_id: request.body.product_id, quantity: request.body.quantity },
      idempotencyKey: request.headers[IDEMPOTENCY_KEY] ?? `bff-${randomUUID()}`,
      parse: parseCartLine,
    }).catch(relayClientError)
    const replayed = response.headers['idempotency-replayed']
    if (typeof replayed === 'string') {
      void reply.header('idempotency-replayed', replayed)
    }
    void reply.code(201).header('cache-control', 'no-store')
    return response.body
  })

  app.delete<{ Params: { product_id: string } }>('/cart/items/:product_id', {
    config: { auth: 'required' },
    schema: { summary: 'Remove a line from the signed-in user\'s cart (idempotent)', tags: ['cart'], params: productIdParams },
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
