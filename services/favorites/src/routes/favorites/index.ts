import { idParam, parseId } from '@storefront/service-kit'
import type { FastifyInstance } from 'fastify'

import type { FavoriteRepository } from '../../data-access/favorite-repository.js'
import { refuseBodies } from './no-body.js'

const userParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idParam },
} as const

const favoriteParams = {
  type: 'object',
  required: ['id', 'product_id'],
  properties: { id: idParam, product_id: idParam },
} as const

// No route takes query parameters; an unknown one is a 400 rather than silently ignored, so a
// caller expecting, say, paging learns at once that there is none.
const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const

const favoriteList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['product_id'],
    additionalProperties: false,
    properties: { product_id: { type: 'integer' } },
  },
} as const

/** What the favourite routes need. */
export interface FavoriteRoutesDeps {
  readonly favorites: FavoriteRepository
}

/**
 * `GET /users/{id}/favorites` (`[]` when none, never 404), `PUT` and `DELETE
 * /users/{id}/favorites/{product_id}` (204, idempotent).
 *
 * A plugin of its own, so that its no-body rule (see {@link refuseBodies}) stays inside it. A user
 * or product id is any valid id: users live elsewhere, and the catalogue is another service's, so a
 * favourite of a product that does not exist (yet) is stored as asked.
 */
export function favoriteRoutes(app: FastifyInstance, deps: FavoriteRoutesDeps, done: (error?: Error) => void): void {
  refuseBodies(app)

  app.get<{ Params: { id: string } }>(
    '/users/:id/favorites',
    { schema: { params: userParams, querystring: noQuery, response: { 200: favoriteList } } },
    async (request) => {
      const userId = parseId(request.params.id, 'id')
      return deps.favorites.list(userId, request.abortSignal)
    },
  )

  app.put<{ Params: { id: string; product_id: string } }>(
    '/users/:id/favorites/:product_id',
    { schema: { params: favoriteParams, querystring: noQuery } },
    async (request, reply) => {
      const userId = parseId(request.params.id, 'id')
      const productId = parseId(request.params.product_id, 'product_id')
      await deps.favorites.add(userId, productId, request.abortSignal)
      return reply.code(204).send()
    },
  )

  app.delete<{ Params: { id: string; product_id: string } }>(
    '/users/:id/favorites/:product_id',
    { schema: { params: favoriteParams, querystring: noQuery } },
    async (request, reply) => {
      const userId = parseId(request.params.id, 'id')
      const productId = parseId(request.params.product_id, 'product_id')
      await deps.favorites.remove(userId, productId, request.abortSignal)
      return reply.code(204).send()
    },
  )

  done()
}
