import { Writable } from 'node:stream'

import { Agent, request } from 'undici'
import { describe, expect, it, vi } from 'vitest'

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

  it('sheds before signing in and the other hooks, logs no line per shed page, and sums them up in one warning a second', async () => {
    const lines: Array<Record<string, unknown>> = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
        callback()
      },
    })
    const bff = await start({ MAX_CONCURRENT_PAGES: '1' }, { logger: { level: 'info', stream } })
    bff.fakes.products.behave = () => ({ delayMs: 150 })
    const admitted = bff.app.inject({ method: 'GET', url: '/products/all' })
    await vi.waitFor(() => { expect(bff.fakes.products.requests).toHaveLength(1) })
    // A bad token would be a 401 from sign-in: shed first, the page costs no verification.
    const shed = await Promise.all(Array.from({ length: 5 }, () => bff.app.inject({ method: 'GET', url: '/products/all', headers: { authorization: 'Bearer not-a-token' } })))
    expect(shed.map((page) => page.statusCode)).toEqual(Array(5).fill(503))
    expect(shed[0]?.json()).toMatchObject({ status: 503, code: 'SVC_ERR_OVERLOADED', instance: '/products/all', request_id: shed[0]?.headers['x-request-id'] })
    expect((await admitted).statusCode).toBe(200)
    const problemLines = lines.filter((line) => line.code === 'SVC_ERR_OVERLOADED')
    expect(problemLines).toEqual([])
    await vi.waitFor(() => {
      expect(lines.filter((line) => line.msg === 'pages shed: the page limit is reached')).toEqual([expect.objectContaining({ level: 40, shed: 5, limit: 1 })])
    }, { timeout: 3000 })
  })

  it('gives a page\'s place back as soon as its client leaves, before the page is done', async () => {
    const bff = await start({ MAX_CONCURRENT_PAGES: '1' })
    bff.fakes.products.behave = () => ({ delayMs: 250 })
    const origin = await bff.app.listen({ host: '127.0.0.1', port: 0 })
    const agent = new Agent({ pipelining: 0 })
    const status = async (): Promise<number> => {
      const response = await request(`${origin}/products/all`, { dispatcher: agent })
      await response.body.dump()
      return response.statusCode
    }
    const inflight = async (): Promise<number> => (await bff.app.inject({ method: 'GET', url: '/ops/stats' })).json<{ pages: { inflight: number } }>().pages.inflight
    try {
      const leaving = new AbortController()
      const gone = request(`${origin}/products/all`, { dispatcher: agent, signal: leaving.signal }).catch((error: unknown) => error)
      await vi.waitFor(() => { expect(bff.fakes.products.requests).toHaveLength(1) })
      expect(await status()).toBe(503)
      leaving.abort()
      await gone
      // Well before the 250 ms products takes for the page the client left.
      await vi.waitFor(async () => { expect(await inflight()).toBe(0) }, { timeout: 100, interval: 5 })
      expect(await status()).toBe(200)
    } finally {
      await agent.destroy()
    }
  })

  it('lets pages that wait on a slow downstream past the adaptive limit while the event loop has room', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 200 })
    // An idle loop for a while after start-up, as on a server between visitors.
    await new Promise((resolve) => setTimeout(resolve, 150))
    // 150 pages waiting at once: past the limit's start of 100, under MAX_CONCURRENT_PAGES.
    const statuses = (await Promise.all(Array.from({ length: 150 }, () => bff.app.inject({ method: 'GET', url: '/products/all' })))).map((page) => page.statusCode)
    expect(statuses.filter((status) => status !== 200)).toEqual([])
  })

  it('sheds pages past the adaptive limit while the event loop is busy', async () => {
    const bff = await start()
    bff.fakes.products.behave = () => ({ delayMs: 200 })
    // A quarter second of work on the loop: the next reading of its load finds it busy.
    const until = performance.now() + 250
    while (performance.now() < until) {
      // busy
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
    const statuses = (await Promise.all(Array.from({ length: 150 }, () => bff.app.inject({ method: 'GET', url: '/products/all' })))).map((page) => page.statusCode)
    // The limit starts at 100.
    expect(statuses.filter((status) => status === 200)).toHaveLength(100)
    expect(statuses.filter((status) => status === 503)).toHaveLength(50)
  })

  it('with ADAPTIVE_PAGE_LIMIT=false, sheds only past MAX_CONCURRENT_PAGES, busy loop or not', async () => {
    const bff = await start({ ADAPTIVE_PAGE_LIMIT: 'false', MAX_CONCURRENT_PAGES: '120' })
    bff.fakes.products.behave = () => ({ delayMs: 200 })
    const until = performance.now() + 250
    while (performance.now() < until) {
      // busy
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
    const statuses = (await Promise.all(Array.from({ length: 150 }, () => bff.app.inject({ method: 'GET', url: '/products/all' })))).map((page) => page.statusCode)
    expect(statuses.filter((status) => status === 200)).toHaveLength(120)
    expect(statuses.filter((status) => status === 503)).toHaveLength(30)
  })
})
