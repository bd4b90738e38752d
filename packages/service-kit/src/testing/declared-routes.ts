import type { FastifyInstance } from 'fastify'

/** One method of one route pattern, as the app declares it: `{ method: 'GET', url: '/users/:id/cart' }`. */
export interface DeclaredRoute {
  readonly method: string
  readonly url: string
}

/** A line of `printRoutes`: the tree drawing (four characters a level), a path piece, its methods. */
const LINE = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/

/**
 * Every route of a ready app, one entry per method (the HEAD Fastify adds to each GET included),
 * sorted, read from Fastify's own route tree. A test that walks this list covers the routes added
 * after it was written, too.
 *
 * The tree is printed with its shared prefixes as nodes of their own (`commonPrefix: true`): the
 * flattened drawing drops the shared part before a wildcard that has static siblings
 * (`/docs/static/*` comes out as `/docs*`).
 */
export function declaredRoutes(app: FastifyInstance): DeclaredRoute[] {
  const routes: DeclaredRoute[] = []
  const path: string[] = []
  for (const line of app.printRoutes({ commonPrefix: true }).split('\n')) {
    const match = LINE.exec(line)
    if (match === null) {
      continue
    }
    const [, indent = '', piece = '', methods] = match
    path.length = indent.length / 4
    path.push(piece)
    for (const method of methods?.split(', ') ?? []) {
      routes.push({ method, url: path.join('') })
    }
  }
  if (routes.length === 0) {
    throw new Error('no routes found: is the app ready?')
  }
  return routes.sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))
}
