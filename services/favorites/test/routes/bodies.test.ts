import { Readable } from 'node:stream'

import { authHeaders, expectProblem } from '@storefront/service-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type FavoritesHarness, favoriteRows, startFavorites } from '../helper.js'

// PUT and DELETE of a favourite take no body: an empty one is ignored, a non-empty one is a 400
// whatever its content type, and one over BODY_LIMIT_BYTES (64 KiB by default) is a 413.

let harness: FavoritesHarness

beforeAll(async () => {
  harness = await startFavorites()
})

afterAll(async () => {
  await harness.close()
})

const ONE_MB = 1024 * 1024

describe('a PUT or DELETE that sends an empty body', () => {
  it.each(['application/json', 'text/plain', 'application/octet-stream'])('is served as if there were none (content-type %s)', async (contentType) => {
    const headers = { ...authHeaders, 'content-type': contentType }
    const added = await harness.app.inject({ method: 'PUT', url: '/users/20/favorites/4', headers, payload: '' })
    expect(added.statusCode).toBe(204)
    expect(await favoriteRows(harness.db, 20)).toEqual([[20, 4]])
    const removed = await harness.app.inject({ method: 'DELETE', url: '/users/20/favorites/4', headers, payload: '' })
    expect(removed.statusCode).toBe(204)
    expect(await favoriteRows(harness.db, 20)).toEqual([])
  })
})

describe('a PUT or DELETE that sends a non-empty body', () => {
  const bodies: Array<[label: string, contentType: string | undefined, payload: string]> = [
    ['an empty JSON object', 'application/json', '{}'],
    ['a JSON object with fields', 'application/json; charset=utf-8', '{"product_id":2,"user_id":1}'],
    ['malformed JSON', 'application/json', '{"product_id":'],
    ['plain text', 'text/plain', 'not json'],
    ['XML', 'application/xml', '<favorite/>'],
    ['form data', 'application/x-www-form-urlencoded', 'product_id=2'],
    ['bytes without a content type', undefined, 'stray bytes'],
  ]

  it.each(bodies)('answers 400 FAVORITES_ERR_UNEXPECTED_BODY for %s, and writes nothing', async (_label, contentType, payload) => {
    const headers = contentType === undefined ? authHeaders : { ...authHeaders, 'content-type': contentType }
    const before = await favoriteRows(harness.db)
    // PUT of a new favourite and DELETE of a seeded one: either would change the table if served.
    for (const [method, url] of [['PUT', '/users/21/favorites/8'], ['DELETE', '/users/1/favorites/1']] as const) {
      const response = await harness.app.inject({ method, url, headers, payload })
      const body = expectProblem(response, 400)
      expect(body.code).toBe('FAVORITES_ERR_UNEXPECTED_BODY')
    }
    expect(await favoriteRows(harness.db)).toEqual(before)
  })

  it('answers 415 for a malformed content-type header, before any body rule', async () => {
    const response = await harness.app.inject({ method: 'PUT', url: '/users/21/favorites/8', headers: { ...authHeaders, 'content-type': '???' }, payload: '' })
    expectProblem(response, 415)
    expect(await favoriteRows(harness.db, 21)).toEqual([])
  })
})

describe('a body over BODY_LIMIT_BYTES', () => {
  it.each(['application/json', 'text/plain', 'application/octet-stream'])('answers 413 for a 1 MB %s body on PUT and DELETE, and writes nothing', async (contentType) => {
    const before = await favoriteRows(harness.db)
    const payload = contentType === 'application/json' ? JSON.stringify({ padding: 'x'.repeat(ONE_MB) }) : 'x'.repeat(ONE_MB)
    for (const [method, url] of [['PUT', '/users/22/favorites/8'], ['DELETE', '/users/1/favorites/1']] as const) {
      const response = await harness.app.inject({ method, url, headers: { ...authHeaders, 'content-type': contentType }, payload })
      const body = expectProblem(response, 413)
      expect(body.code).toBe('SVC_ERR_BODY_TOO_LARGE')
    }
    expect(await favoriteRows(harness.db)).toEqual(before)
  })

  it('answers 413 for a 1 MB body streamed without content-length', async () => {
    const payload = Readable.from([Buffer.alloc(ONE_MB / 2, 120), Buffer.alloc(ONE_MB / 2, 120)])
    const response = await harness.app.inject({ method: 'PUT', url: '/users/22/favorites/9', headers: { ...authHeaders, 'content-type': 'application/json' }, payload })
    expectProblem(response, 413)
    expect(await favoriteRows(harness.db, 22)).toEqual([])
  })

  it('answers 413, not 400, at BODY_LIMIT_BYTES + 1 and 400 at the limit', async () => {
    const limit = harness.env.BODY_LIMIT_BYTES
    const at = await harness.app.inject({ method: 'PUT', url: '/users/22/favorites/9', headers: { ...authHeaders, 'content-type': 'text/plain' }, payload: 'x'.repeat(limit) })
    expectProblem(at, 400)
    const over = await harness.app.inject({ method: 'PUT', url: '/users/22/favorites/9', headers: { ...authHeaders, 'content-type': 'text/plain' }, payload: 'x'.repeat(limit + 1) })
    expectProblem(over, 413)
  })
})
