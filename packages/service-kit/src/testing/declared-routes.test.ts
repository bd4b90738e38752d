import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'

import { declaredRoutes } from './declared-routes.js'

describe('declaredRoutes', () => {
  it('lists every method of every route, nested paths and parameters included, in order', async () => {
    const app = Fastify()
    const handler = (): null => null
    app.get('/', handler)
    app.get('/products', handler)
    app.get('/products/:id', handler)
    app.get('/products/:id/inventory', handler)
    app.put('/users/:id/favorites/:product_id', handler)
    app.delete('/users/:id/favorites/:product_id', handler)
    app.post('/users/:id/cart/items', handler)
    await app.ready()
    expect(declaredRoutes(app)).toEqual([
      { method: 'GET', url: '/' },
      { method: 'HEAD', url: '/' },
      { method: 'GET', url: '/products' },
      { method: 'HEAD', url: '/products' },
      { method: 'GET', url: '/products/:id' },
      { method: 'HEAD', url: '/products/:id' },
      { method: 'GET', url: '/products/:id/inventory' },
      { method: 'HEAD', url: '/products/:id/inventory' },
      { method: 'POST', url: '/users/:id/cart/items' },
      { method: 'DELETE', url: '/users/:id/favorites/:product_id' },
      { method: 'PUT', url: '/users/:id/favorites/:product_id' },
    ])
    await app.close()
  })

  it('keeps the shared part of a path before a wildcard that has static siblings', async () => {
    const app = Fastify()
    const handler = (): null => null
    app.get('/docs', handler)
    app.get('/docs/static/index.html', handler)
    app.get('/docs/static/*', handler)
    app.get('/docs/json', handler)
    await app.ready()
    expect(declaredRoutes(app).filter(({ method }) => method === 'GET').map(({ url }) => url)).toEqual([
      '/docs',
      '/docs/json',
      '/docs/static/*',
      '/docs/static/index.html',
    ])
    await app.close()
  })
})
