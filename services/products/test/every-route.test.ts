import { type RouteProbe, authHeaders, probeEveryRoute, problemEverywhere } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type ProductsHarness, startProducts } from './helper.js'

let harness: ProductsHarness

beforeAll(async () => {
  harness = await startProducts()
})

afterAll(async () => {
  await harness.close()
})

/** A valid request for each route of the service. */
const probes: Record<string, RouteProbe> = {
  'GET /products': { url: '/products?limit=2&after=1' },
  'GET /products/:id': { url: '/products/1' },
  'GET /health/live': { url: '/health/live' },
  'GET /health/ready': { url: '/health/ready' },
  'GET /metrics': { url: '/metrics' },
  'GET /docs/json': { url: '/docs/json' },
}

describe('every route of products', () => {
  it('refuses an unknown query parameter with a 400 problem naming it', async () => {
    const answers = await probeEveryRoute(harness.app, probes, { query: 'unknown_param=1', headers: authHeaders })
    expect(answers).toEqual(problemEverywhere(answers, 400, 'SVC_ERR_VALIDATION', 'Unknown query parameter "unknown_param".'))
  })

  it('answers a spent budget (x-request-timeout-ms: 0) with a 504 problem', async () => {
    const answers = await probeEveryRoute(harness.app, probes, { headers: { ...authHeaders, 'x-request-timeout-ms': '0' } })
    expect(answers).toEqual(problemEverywhere(answers, 504, 'SVC_ERR_DEADLINE_EXCEEDED', expect.stringContaining('x-request-timeout-ms')))
  })
})
