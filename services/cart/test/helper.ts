import { type ServiceUnderTest, type ServiceUnderTestDefinition, type TestDatabase, authHeaders, startServiceUnderTest } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'

import { buildApp } from '../src/app.js'
import { type CartEnv, readCartEnv } from '../src/config.js'
import { cartDatabase } from '../src/database.js'

/** The cart service as the kit's test harness starts it. */
const cart: ServiceUnderTestDefinition<CartEnv> = { name: 'cart', readEnv: readCartEnv, database: cartDatabase, buildApp }

/** A running cart app on a test database. */
export type CartHarness = ServiceUnderTest<CartEnv>

/** Starts cart on a fresh database, or on `existing` (a restart); `overrides` are environment strings. */
export function startCart(overrides: Record<string, string> = {}, existing?: TestDatabase): Promise<CartHarness> {
  return startServiceUnderTest(cart, overrides, existing)
}

/** A cart line as the API answers it. */
export interface Line {
  product_id: number
  quantity: number
}

/** Shorthands for the cart routes, with the service token unless other headers are given. */
export function cartClient(app: FastifyInstance) {
  return {
    getCart: (userId: number | string, headers: Record<string, string> = authHeaders) => app.inject({ method: 'GET', url: `/users/${userId}/cart`, headers }),
    /** POSTs `body` as JSON, with the token and `headers` (e.g. an Idempotency-Key). */
    add: (userId: number | string, body: unknown, headers: Record<string, string> = {}) => postRaw(app, userId, JSON.stringify(body), headers),
    /** POSTs `payload` as it is, with a JSON content type unless `headers` set another. */
    postRaw: (userId: number | string, payload: string, headers: Record<string, string> = {}) => postRaw(app, userId, payload, headers),
    remove: (userId: number | string, productId: number | string, headers: Record<string, string> = authHeaders) =>
      app.inject({ method: 'DELETE', url: `/users/${userId}/cart/items/${productId}`, headers }),
    /** The user's cart, asserting the 200. */
    async lines(userId: number): Promise<Line[]> {
      const response = await app.inject({ method: 'GET', url: `/users/${userId}/cart`, headers: authHeaders })
      expect(response.statusCode).toBe(200)
      return response.json<Line[]>()
    },
  }
}

function postRaw(app: FastifyInstance, userId: number | string, payload: string, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: `/users/${userId}/cart/items`, headers: { ...authHeaders, 'content-type': 'application/json', ...headers }, payload })
}
