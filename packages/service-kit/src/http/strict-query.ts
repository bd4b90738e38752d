import type { RouteOptions } from 'fastify'

/** The query schema of a route that declares none: it takes no parameter at all. */
function noParameters(): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties: {} }
}

/**
 * Keywords through which `additionalProperties` cannot see: with them at the top of a query schema,
 * a declared parameter could be refused or an unknown one let through.
 */
const COMBINING = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentSchemas', 'unevaluatedProperties'] as const

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
}

function strict(query: unknown, route: RouteOptions): Record<string, unknown> {
  if (!isPlainObject(query) || (query.type !== undefined && query.type !== 'object') || COMBINING.some((keyword) => keyword in query)) {
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method
    throw new Error(`${method} ${route.url}: a querystring schema must be a plain object schema (type "object", its parameters under "properties", no ${COMBINING.join(', ')}), so that the service can refuse parameters it does not declare`)
  }
  return { ...query, additionalProperties: false }
}

/**
 * An `onRoute` hook that makes every route refuse query parameters it does not declare: a route
 * without a query schema gets one that allows none, and a declared one gets
 * `additionalProperties: false`. Validation then answers 400, naming the parameter, before the
 * handler runs. A query schema that cannot be made strict this way fails when the route is
 * registered, so no route can quietly let unknown parameters through.
 *
 * Add it before the first route: Fastify calls `onRoute` hooks as each route is declared.
 */
export function strictQuery(route: RouteOptions): void {
  const schema: Record<string, unknown> = { ...(route.schema as Record<string, unknown> | undefined) }
  // Fastify takes `query` as another name for `querystring`.
  const key = schema.query === undefined ? 'querystring' : 'query'
  schema[key] = schema[key] === undefined ? noParameters() : strict(schema[key], route)
  route.schema = schema
}
