import { type RouteProbe, probeEveryRoute, problemEverywhere } from '@storefront/service-kit/testing'
import { describe, expect, it } from 'vitest'

import { type BffHarness, bffPerTest } from './helper.js'

const start = bffPerTest()

/** A valid request for each route of the BFF, signed in as user 1 where the route needs a user. */
async function probesFor(bff: BffHarness): Promise<Record<string, RouteProbe>> {
  const headers = await bff.signIn(1)
  return {
    'GET /': { url: '/' },
    'GET /ops': { url: '/ops' },
    'GET /assets/:file': { url: '/assets/styles.css' },
    'GET /docs': { url: '/docs' },
    'GET /docs/': { url: '/docs/' },
    'GET /docs/json': { url: '/docs/json' },
    'GET /docs/yaml': { url: '/docs/yaml' },
    'GET /docs/static/*': { url: '/docs/static/swagger-ui.css' },
    'GET /docs/static/index.html': { url: '/docs/static/index.html' },
    'GET /docs/static/swagger-initializer.js': { url: '/docs/static/swagger-initializer.js' },
    'POST /auth/login': { url: '/auth/login', payload: { user_id: 1 } },
    'POST /auth/logout': { url: '/auth/logout', headers },
    'GET /auth/me': { url: '/auth/me', headers },
    'GET /products/all': { url: '/products/all', headers },
    'GET /cart': { url: '/cart', headers },
    'POST /cart/items': { url: '/cart/items', headers, payload: { product_id: 1 } },
    'DELETE /cart/items/:product_id': { url: '/cart/items/1', headers },
    'GET /favorites': { url: '/favorites', headers },
    'PUT /favorites/:product_id': { url: '/favorites/1', headers },
    'DELETE /favorites/:product_id': { url: '/favorites/1', headers },
    'GET /ops/breakers': { url: '/ops/breakers' },
    'GET /ops/stats': { url: '/ops/stats' },
    'GET /ops/faults': { url: '/ops/faults' },
    'GET /ops/traces': { url: '/ops/traces' },
    'PUT /ops/faults/:downstream': { url: '/ops/faults/products', payload: { delay_ms: null, error_rate: 0 } },
    'GET /health/live': { url: '/health/live' },
    'GET /health/ready': { url: '/health/ready' },
    'GET /metrics': { url: '/metrics' },
  }
}

/** How many requests the four fakes below the BFF have seen. */
function downstreamCalls(bff: BffHarness): number {
  const { products, inventory, cart, favorites } = bff.fakes
  return products.requests.length + inventory.requests.length + cart.requests.length + favorites.requests.length
}

describe('every route of the BFF, the pages and their assets included', () => {
  it('refuses an unknown query parameter with a 400 problem naming it, and calls nothing below', async () => {
    const bff = await start()
    const answers = await probeEveryRoute(bff.app, await probesFor(bff), { query: 'unknown_param=1' })
    expect(answers).toEqual(problemEverywhere(answers, 400, 'SVC_ERR_VALIDATION', 'Unknown query parameter "unknown_param".'))
    expect(downstreamCalls(bff)).toBe(0)
  })

  it('answers a spent budget (x-request-timeout-ms: 0) with a 504 problem, and calls nothing below', async () => {
    const bff = await start()
    const answers = await probeEveryRoute(bff.app, await probesFor(bff), { headers: { 'x-request-timeout-ms': '0' } })
    expect(answers).toEqual(problemEverywhere(answers, 504, 'SVC_ERR_DEADLINE_EXCEEDED', expect.stringContaining('x-request-timeout-ms')))
    expect(downstreamCalls(bff)).toBe(0)
  })
})
