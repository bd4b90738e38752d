import { FavoriteList, IdParam } from '@storefront/contracts'
import { type RoutePlugin, parseId } from '@storefront/service-kit'
import { Type } from 'typebox'

import type { FavoriteRepository } from '../../data-access/favorite-repository.js'
import { favoritesErrors } from '../../errors.js'
import { refuseBodies } from './no-body.js'

/** What the favourite routes need. */
export interface FavoriteRoutesDeps {
  readonly favorites: FavoriteRepository
}

/** `/users/{id}/favorites`. */
const UserParams = Type.Object({ id: IdParam })

/** `/users/{id}/favorites/{product_id}`. */
const FavoriteParams = Type.Object({ id: IdParam, product_id: IdParam })

/**
 * `GET /users/{id}/favorites` (`[]` when none, never 404), `PUT` and `DELETE
 * /users/{id}/favorites/{product_id}` (204, idempotent).
 *
 * A plugin of its own, so that its no-body rule (see {@link refuseBodies}) stays inside it. A user
 * or product id is any valid id: users live elsewhere, and the catalogue is another service's, so a
 * favourite of a product that does not exist (yet) is stored as asked.
 */
export const favoriteRoutes: RoutePlugin<FavoriteRoutesDeps> = async (app, deps) => {
  refuseBodies(app)

  const tags = ['favorites']
  // What the writes answer: 204, and a 400 for a body (see refuseBodies), which Fastify never parses as JSON.
  const write = (productId: string) => ({ noContent: true, jsonBody: false, errors: [favoritesErrors.UNEXPECTED_BODY], request: { params: { id: '1', product_id: productId } } })

  app.get('/users/:id/favorites', {
    config: { docs: { request: { params: { id: '1' } }, response: [{ product_id: 1 }, { product_id: 2 }] } },
    schema: { summary: 'A user\'s favorites; `[]` when none', tags, params: UserParams, response: { 200: FavoriteList } },
  }, async (request) => {
    const userId = parseId(request.params.id, 'id')
    return deps.favorites.list(userId, request.abortSignal)
  })

  app.put('/users/:id/favorites/:product_id', {
    config: { docs: write('4') },
    schema: { summary: 'Mark a product as a favorite (idempotent)', tags, params: FavoriteParams },
  }, async (request, reply) => {
    const userId = parseId(request.params.id, 'id')
    const productId = parseId(request.params.product_id, 'product_id')
    await deps.favorites.add(userId, productId, request.abortSignal)
    return reply.code(204).send()
  })

  app.delete('/users/:id/favorites/:product_id', {
    config: { docs: write('2') },
    schema: { summary: 'Unmark a favorite (idempotent)', tags, params: FavoriteParams },
  }, async (request, reply) => {
    const userId = parseId(request.params.id, 'id')
    const productId = parseId(request.params.product_id, 'product_id')
    await deps.favorites.remove(userId, productId, request.abortSignal)
    return reply.code(204).send()
  })
}
