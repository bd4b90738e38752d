import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyPluginOptions } from 'fastify'

/**
 * The shape of every route module, in the services and the BFF: one Fastify plugin per resource
 * folder, registered with the dependencies it needs as its options
 * (`app.register(cartRoutes, { carts })`). Its schemas are TypeBox schemas, so the request's
 * params, query, headers and body are typed from the same schema that validates them, and a
 * handler's answer is checked against the response schema at compile time.
 */
export type RoutePlugin<Deps extends FastifyPluginOptions> = FastifyPluginAsyncTypebox<Deps>
