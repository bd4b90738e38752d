import { describe, expect, it } from 'vitest'

import { bffPerTest, timed } from '../helper.js'

const start = bffPerTest()

describe('GET /products/all under more load than the BFF lets in', () => {
  it('admits MAX_CONCURRENT_PAGES pages and sheds the rest at once with 503 SVC_ERR_OVERLOADED and retry-after', async () => {
    const bff = await start({ MAX_CONCURRENT_PAGES: '10' })
    bff.fakes.products.behave = () => ({ delayMs: 150 })
    const pages = await Promise.all(Array.from({ length: 40 }, () => timed(() => bff.app.inject({ method: 'GET', url: '/products/all' }))))
    const admitted = pages.filter((page) => page.value.statusCode === 200)
    const shed = pages.filter((page) => page.value.statusCode === 503)
    expect(admitted).toHaveLength(10)
    expect(shed).toHaveLength(30)
    for (const page of shed) {
      expect(page.value.headers['retry-after']).toBe('1')
      expect(page.value.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(page.value.json()).toMatchObject({ status: 503, code: 'SVC_ERR_OVERLOADED' })
      // Shed before any work: long before the 150 ms products takes.
      expect(page.elapsedMs).toBeLessThan(75 + page.lagMs)
    }
    // The admitted pages shared one products call; the shed ones made none.
    expect(bff.fakes.products.requests).toHaveLength(1)
  })

  it('lets pages in again once those in progress are done, and counts what it shed on /ops/stats and /metrics', async () => {
    const bff = await start({ MAX_CONCURRENT_PAGES: '2' })
    bff.fakes.products.behave = () => ({ delayMs: 150 })
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => bff.app.inject({ method: 'GET', url: '/products/all' })))).map((page) => page.statusCode)
    expect(statuses.sort()).toEqual([200, 200, 503, 503, 503])
    bff.fakes.products.behave = () => ({})
    expect((await bff.app.inject({ method: 'GET', url: '/products/all' })).statusCode).toBe(200)
    const stats = (await bff.app.inject({ method: 'GET', url: '/ops/stats' })).json()
    expect(stats.pages).toEqual({ limit: 2, inflight: 0, shed: 3 })
    const metrics = (await bff.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^bff_pages_shed_total(\{[^}]*\})? 3$/m)
    expect(metrics).toMatch(/^bff_pages_concurrency_limit(\{[^}]*\})? 2$/m)
    expect(metrics).toMatch(/^bff_pages_inflight(\{[^}]*\})? 0$/m)
  })

  it('sheds nothing at the default limit with 32 pages at once', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 50 })
    const statuses = (await Promise.all(Array.from({ length: 32 }, () => bff.app.inject({ method: 'GET', url: '/products/all' })))).map((page) => page.statusCode)
    expect(statuses.every((status) => status === 200)).toBe(true)
  })
})
