import { FavoriteList } from '@storefront/contracts'
import { type RoutePlugin, kitErrors, parseId } from '@storefront/service-kit'
import type { FastifyRequest } from 'fastify'

import { signedInUser } from '../../auth/auth-plugin.js'
import type { DownstreamClients } from '../../clients/downstream-clients.js'
import { parseFavorites } from '../../clients/downstream-shapes.js'
import { relayClientError } from '../../clients/relay-client-error.js'
import { userCallOptions } from '../../clients/user-call-options.js'
import type { BffEnv } from '../../config.js'
import { ProductIdParams } from '../../schemas/product-id-params.js'

/** What the favorites routes need. */
export interface FavoritesRoutesDeps {
  readonly env: Pick<BffEnv, 'WRITE_TIMEOUT_MS'>
  readonly clients: Pick<DownstreamClients, 'favorites'>
}

/**
 * `GET /favorites`, `PUT /favorites/{product_id}` and `DELETE /favorites/{product_id}`: the
 * signed-in user's favorites. Both are idempotent, so the client retries them downstream within the budget.
 */
export const favoritesRoutes: RoutePlugin<FavoritesRoutesDeps> = async (app, deps) => {
  const { favorites } = deps.clients
  const write = async (method: 'PUT' | 'DELETE', request: FastifyRequest, productIdParam: string): Promise<void> => {
    const userId = signedInUser(request)
    const productId = parseId(productIdParam, 'product_id')
    await favorites.send(method, `/users/${userId}/favorites/${productId}`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/favorites/:product_id',
    }).catch(relayClientError)
  }
  // Any failure of the favorites service: 502, or 503 while its breaker is open.
  const downstream = [kitErrors.UPSTREAM_FAILED, kitErrors.UPSTREAM_UNAVAILABLE]
  app.get('/favorites', {
    config: { auth: 'required', docs: { errors: downstream, headers: ['cache-control'], response: [{ product_id: 1 }, { product_id: 2 }] } },
    schema: { summary: 'The signed-in user\'s favorites', tags: ['favorites'], response: { 200: FavoriteList } },
  }, async (request, reply) => {
    const list = await favorites.getJson(`/users/${signedInUser(request)}/favorites`, {
      ...userCallOptions(request, deps.env.WRITE_TIMEOUT_MS),
      route: '/users/:id/favorites',
      parse: parseFavorites,
    })
    void reply.header('cache-control', 'private, no-store')
    return list
  })
  const options = (summary: string) => ({
    config: { auth: 'required' as const, docs: { errors: downstream, noContent: true, request: { params: { product_id: '4' } } } },
    schema: { summary, tags: ['favorites'], params: ProductIdParams },
  })
  app.put('/favorites/:product_id', options('Mark a product as a favorite (idempotent)'), async (request, reply) => {
    await write('PUT', request, request.params.product_id)
    return reply.code(204).send()
  })
  app.delete('/favorites/:product_id', options('Unmark a favorite (idempotent)'), async (request, reply) => {
    await write('DELETE', request, request.params.product_id)
    return reply.code(204).send()
  })
}
