import { afterEach, describe, expect, it } from 'vitest'

import { type BffHarness, startBff } from '../helper.js'

let harness: BffHarness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('GET /ops/breakers', () => {
  it('reports each downstream\'s breaker state and counts, and shows products open after its failures', async () => {
    harness = await startBff()
    const before = await harness.app.inject({ method: 'GET', url: '/ops/breakers' })
    expect(before.statusCode).toBe(200)
    const breakers = before.json().breakers
    expect(Object.keys(breakers).sort()).toEqual(['cart', 'favorites', 'inventory', 'products'])
    expect(breakers.products.state).toBe('closed')
    expect(breakers.products.stats).toBeTypeOf('object')

    harness.fakes.products.behave = () => ({ status: 500 })
    await harness.app.inject({ method: 'GET', url: '/products/all' })
    await harness.app.inject({ method: 'GET', url: '/products/all' })
    const after = (await harness.app.inject({ method: 'GET', url: '/ops/breakers' })).json().breakers
    expect(after.products.state).toBe('open')
    expect(after.cart.state).toBe('closed')
  })
})
