import { type Server, createServer } from 'node:http'

import { afterEach, describe, expect, it } from 'vitest'

import { idsOf, stockOf } from '../fakes.js'
import { type BffHarness, PRODUCTION_BUDGETS, startBff } from '../helper.js'

/**
 * What a downstream did not properly answer must not show on the page as if it had: a bad body of
 * products is a 502, of an optional part a null named in `degraded`, and a product whose own
 * stock did not arrive has `inventory: null`.
 */

let harness: BffHarness | undefined
let bare: Server | undefined

afterEach(async () => {
  await harness?.close()
  if (bare !== undefined) {
    await new Promise<void>((resolve) => bare!.close(() => { resolve() }))
  }
  harness = undefined
  bare = undefined
})

async function start(overrides: Record<string, string> = {}): Promise<BffHarness> {
  harness = await startBff({ ...PRODUCTION_BUDGETS, ...overrides })
  return harness
}

/** A server that answers every request 200, application/json, with an empty body. */
async function emptyBodyOrigin(): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' }).end()
  })
  bare = server
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('no port')
  }
  return `http://127.0.0.1:${address.port}`
}

async function getPage(bff: BffHarness) {
  return bff.app.inject({ method: 'GET', url: '/products/all', headers: await bff.signIn(1) })
}

// A 2xx answer without a body is not what any downstream's contract promises (products: an array;
// inventory: `{ items }`; cart and favorites: an array): it must never read as an empty catalogue,
// an empty cart or no favorites.
describe('a downstream answering 2xx without a body', () => {
  it('answers 502 when products answers 204', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ status: 204 })
    const response = await getPage(bff)
    expect(response.statusCode).toBe(502)
  })

  it('answers 502 when products answers 200 with an empty body', async () => {
    const bff = await start({ PRODUCTS_URL: await emptyBodyOrigin() })
    const response = await getPage(bff)
    expect(response.statusCode).toBe(502)
  })

  it('degrades cart with reason error, not cart_items 0, when cart answers 204', async () => {
    const bff = await start()
    bff.fakes.cart.behave = () => ({ status: 204 })
    const response = await getPage(bff)
    expect(response.json()).toMatchObject({ cart_items: null, favorite_items: 3, degraded: ['cart'], degraded_reasons: { cart: 'error' } })
  })

  it('degrades favorites with reason error, not favorite_items 0, when favorites answers 200 with an empty body', async () => {
    const bff = await start({ FAVORITES_URL: await emptyBodyOrigin() })
    const response = await getPage(bff)
    expect(response.json()).toMatchObject({ cart_items: 2, favorite_items: null, degraded: ['favorites'], degraded_reasons: { favorites: 'error' } })
  })

  it('degrades inventory with reason error when inventory answers 204, so the page is not cached', async () => {
    const bff = await start()
    bff.fakes.inventory.behave = () => ({ status: 204 })
    const response = await getPage(bff)
    expect(response.json()).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'error' } })
    expect(response.headers['cache-control']).toBe('no-store')
  })
})

describe('stock a chunk did not ask for', () => {
  it('gives a product of a hung chunk null, not the figure another chunk\'s answer names it with', async () => {
    const bff = await start()
    bff.fakes.productCount = 250
    bff.fakes.inventory.behave = (request) => {
      const ids = idsOf(request.url)
      if (ids.includes(101)) {
        return { hang: true }
      }
      // A confused answer: stock for 150 as well, which only the hung chunk asked for.
      return { body: { items: [...ids.map((id) => ({ product_id: id, inventory: stockOf(id) })), { product_id: 150, inventory: 99 }] } }
    }
    const response = await getPage(bff)
    expect(response.json()).toMatchObject({ degraded: ['inventory'], degraded_reasons: { inventory: 'timeout' } })
    const products = response.json().products as { product_id: number; inventory: number | null }[]
    expect(products[0]).toMatchObject({ product_id: 1, inventory: stockOf(1) })
    expect(products[101]).toMatchObject({ product_id: 102, inventory: null })
    expect(products[149]).toMatchObject({ product_id: 150, inventory: null })
  })
})
