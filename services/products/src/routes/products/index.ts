import { IdParam, Product, ProductList } from '@storefront/contracts'
import { AppError, type ReadThroughCache, type RoutePlugin, parseId } from '@storefront/service-kit'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'

import type { ProductRepository } from '../../data-access/product-repository.js'
import { productsErrors } from '../../errors.js'

/** What the product routes need. */
export interface ProductRoutesDeps {
  readonly products: ProductRepository
  /** Serialized answers, keyed by route and arguments. */
  readonly cache: ReadThroughCache<string | undefined>
}

/** `GET /products`: an optional page size (1..1000, the upper bound checked in the handler) and the id to start after. */
const PageQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })), after: Type.Optional(IdParam) }, { additionalProperties: false })

/** `GET /products/{id}`. */
const ProductParams = Type.Object({ id: IdParam })

/**
 * `GET /products` (keyset paging: `?limit=1..1000&after=ID`) and `GET /products/{id}`.
 *
 * Answers are JSON text straight from a read-through cache: the catalogue changes rarely, and a
 * cached string skips both the query and the serializer. The columns selected are exactly the
 * schema's fields, so `JSON.stringify` of a row is the answer.
 */
export const productRoutes: RoutePlugin<ProductRoutesDeps> = async (app, deps) => {
  app.get('/products', {
    config: {
      docs: {
        errors: [productsErrors.BAD_PAGE],
        request: { query: { limit: '2', after: '1' } },
        response: [{ product_id: 2, product_name: 'Mug', price_cents: 1200 }, { product_id: 3, product_name: 'Teapot', price_cents: 3400 }],
      },
    },
    schema: { summary: 'The catalogue, or one keyset page of it (`?limit=N&after=ID`), ordered by product_id', tags: ['products'], querystring: PageQuery, response: { 200: ProductList } },
  }, async (request, reply) => {
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
    // A list load always gives text; the cache's `undefined` is the one-product route's miss.
    return sendJsonText(reply, body ?? '[]')
  })

  app.get('/products/:id', {
    config: {
      docs: {
        errors: [productsErrors.PRODUCT_NOT_FOUND],
        request: { params: { id: '2' } },
        response: { product_id: 2, product_name: 'Mug', price_cents: 1200 },
      },
    },
    schema: { summary: 'One product', tags: ['products'], params: ProductParams, response: { 200: Product } },
  }, async (request, reply) => {
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
    return sendJsonText(reply, body)
  })
}

/**
 * Sends cached JSON text as it is: Fastify passes a string with a JSON content type through
 * without serializing it. The typed reply of a route takes the response schema's object, not its
 * text, so the text goes through the plain reply; the schema still says what the text holds.
 */
function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json').send(text)
}
