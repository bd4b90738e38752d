import { type RouteProbe, authHeaders, probeEveryRoute, problemEverywhere } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type CartHarness, cartClient, startCart } from './helper.js'

let harness: CartHarness
let client: ReturnType<typeof cartClient>

beforeAll(async () => {
  harness = await startCart()
  client = cartClient(harness.app)
})

afterAll(async () => {
  await harness.close()
})

/** A valid request for each route of the service; the writes would change user 1's cart. */
const probes: Record<string, RouteProbe> = {
  'GET /users/:id/cart': { url: '/users/1/cart' },
  'POST /users/:id/cart/items': { url: '/users/1/cart/items', payload: { product_id: 7, quantity: 2 }, headers: { 'idempotency-key': 'every-route' } },
  'DELETE /users/:id/cart/items/:product_id': { url: '/users/1/cart/items/1' },
  'GET /health/live': { url: '/health/live' },
  'GET /health/ready': { url: '/health/ready' },
  'GET /metrics': { url: '/metrics' },
  'GET /docs/json': { url: '/docs/json' },
}

describe('every route of cart', () => {
  it('refuses an unknown query parameter with a 400 problem naming it, and changes nothing', async () => {
    const before = await client.lines(1)
    const answers = await probeEveryRoute(harness.app, probes, { query: 'unknown_param=1', headers: authHeaders })
    expect(answers).toEqual(problemEverywhere(answers, 400, 'SVC_ERR_VALIDATION', 'Unknown query parameter "unknown_param".'))
    expect(await client.lines(1)).toEqual(before)
  })

  it('answers a spent budget (x-request-timeout-ms: 0) with a 504 problem, and changes nothing', async () => {
    const before = await client.lines(1)
    const answers = await probeEveryRoute(harness.app, probes, { headers: { ...authHeaders, 'x-request-timeout-ms': '0' } })
    expect(answers).toEqual(problemEverywhere(answers, 504, 'SVC_ERR_DEADLINE_EXCEEDED', expect.stringContaining('x-request-timeout-ms')))
    expect(await client.lines(1)).toEqual(before)
  })
})
