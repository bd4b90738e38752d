import { AppError, type ReadThroughCache, idParam, parseId } from '@storefront/service-kit'
import type { FastifyInstance } from 'fastify'

import type { ProductRepository } from '../../data-access/product-repository.js'
import { productsErrors } from '../../errors.js'

const product = {
  type: 'object',
  required: ['product_id', 'product_name', 'price_cents'],
  properties: {
    product_id: { type: 'integer' },
    product_name: { type: 'string' },
    price_cents: { type: 'integer' },
  },
} as const

/** What the product routes need. */
export interface ProductRoutesDeps {
  readonly products: ProductRepository
  /** Serialized answers, keyed by route and arguments. */
  readonly cache: ReadThroughCache<string | undefined>
}

/**
 * `GET /products` (keyset paging: `?limit=1..1000&after=ID`) and `GET /products/{id}`.
 *
 * Answers are JSON text straight from a read-through cache: the catalogue changes rarely, and a
 * cached string skips both the query and the serializer. The columns selected are exactly the
 * schema's fields, so `JSON.stringify` of a row is the answer.
 */
export function productRoutes(app: FastifyInstance, deps: ProductRoutesDeps): void {
  app.get<{ Querystring: { limit?: string; after?: string } }>(
    '/products',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' }, after: idParam },
        },
        response: { 200: { type: 'array', items: product } },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit === undefined ? undefined : Number(request.query.limit)
      if (limit !== undefined && limit > 1000) {
        throw new AppError(productsErrors.BAD_PAGE, 'limit must be from 1 to 1000')
      }
      const afterId = request.query.after === undefined ? 0 : parseId(request.query.after, 'after')
      const body = await deps.cache.get(
        `list:${limit ?? ''}:${afterId}`,
        async (signal) => JSON.stringify(await deps.products.list({ limit, afterId }, signal)),
        request,
      )
      return reply.type('application/json').send(body)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/products/:id',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: idParam } },
        response: { 200: product },
      },
    },
    async (request, reply) => {
      const id = parseId(request.params.id, 'id')
      const body = await deps.cache.get(
        `one:${id}`,
        async (signal) => {
          const found = await deps.products.find(id, signal)
          return found === undefined ? undefined : JSON.stringify(found)
        },
        request,
      )
      if (body === undefined) {
        throw new AppError(productsErrors.PRODUCT_NOT_FOUND, `No product ${id}.`)
      }
      return reply.type('application/json').send(body)
    },
  )
}
