import { type RouteProbe, authHeaders, probeEveryRoute, problemEverywhere } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type FavoritesHarness, favoriteRows, startFavorites } from './helper.js'

let harness: FavoritesHarness

beforeAll(async () => {
  harness = await startFavorites()
})

afterAll(async () => {
  await harness.close()
})

/** A valid request for each route of the service; the writes would change user 1's favorites. */
const probes: Record<string, RouteProbe> = {
  'GET /users/:id/favorites': { url: '/users/1/favorites' },
  'PUT /users/:id/favorites/:product_id': { url: '/users/1/favorites/7' },
  'DELETE /users/:id/favorites/:product_id': { url: '/users/1/favorites/1' },
  'GET /health/live': { url: '/health/live' },
  'GET /health/ready': { url: '/health/ready' },
  'GET /metrics': { url: '/metrics' },
  'GET /docs/json': { url: '/docs/json' },
}

describe('every route of favorites', () => {
  it('refuses an unknown query parameter with a 400 problem naming it, and changes nothing', async () => {
    const before = await favoriteRows(harness.db)
    const answers = await probeEveryRoute(harness.app, probes, { query: 'unknown_param=1', headers: authHeaders })
    expect(answers).toEqual(problemEverywhere(answers, 400, 'SVC_ERR_VALIDATION', 'Unknown query parameter "unknown_param".'))
    expect(await favoriteRows(harness.db)).toEqual(before)
  })

  it('answers a spent budget (x-request-timeout-ms: 0) with a 504 problem, and changes nothing', async () => {
    const before = await favoriteRows(harness.db)
    const answers = await probeEveryRoute(harness.app, probes, { headers: { ...authHeaders, 'x-request-timeout-ms': '0' } })
    expect(answers).toEqual(problemEverywhere(answers, 504, 'SVC_ERR_DEADLINE_EXCEEDED', expect.stringContaining('x-request-timeout-ms')))
    expect(await favoriteRows(harness.db)).toEqual(before)
  })
})
