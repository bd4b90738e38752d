import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { type BffHarness, bffPerTest, closedPortUrl, eventually, timed } from '../helper.js'
import { type TestRedis, redisTestsUnavailable, startRedis } from '../redis-server.js'

const unavailable = redisTestsUnavailable()
if (unavailable !== undefined) {
  console.warn(`[storefront] Skipping the shared rate limit tests: ${unavailable}.`)
}

/** The longest a check may wait for Redis in these tests, in ms (RATE_LIMIT_REDIS_TIMEOUT_MS). */
const CHECK_TIMEOUT_MS = 100

/** What a page may take besides the check on this loaded machine, in ms. */
const PAGE_SLACK_MS = 250

const start = bffPerTest({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_REDIS_TIMEOUT_MS: String(CHECK_TIMEOUT_MS) })

/** One pino line, as the tests read it. */
interface LogLine {
  readonly level: number
  readonly msg: string
  readonly store?: string
}

/** A pino logger for `deps.logger` that keeps what it writes, at info and above. */
function capturedLog() {
  const written: string[] = []
  return {
    logger: { level: 'info', stream: { write: (line: string) => { written.push(line) } } },
    lines: () => written.map((line) => JSON.parse(line) as LogLine),
    text: () => written.join(''),
  }
}

const page = (bff: BffHarness) => bff.app.inject({ method: 'GET', url: '/products/all' })

/** `bff_rate_limit_unchecked_total` as `/metrics` shows it. */
async function uncheckedTotal(bff: BffHarness): Promise<number | undefined> {
  const text = (await bff.app.inject({ method: 'GET', url: '/metrics' })).body
  const match = /^bff_rate_limit_unchecked_total(?:\{[^}]*\})? (\d+)$/m.exec(text)
  return match === null ? undefined : Number(match[1])
}

describe.skipIf(unavailable !== undefined)('a rate limit shared through Redis (RATE_LIMIT_REDIS_URL)', () => {
  let redis: TestRedis

  beforeAll(async () => {
    redis = await startRedis()
  })

  afterAll(async () => {
    await redis.stop()
  })

  beforeEach(async () => {
    // Empty, and running: a test may have stopped or paused it.
    await redis.restart()
  })

  /** Runs `look` with a client of the test's own, to look into the server. */
  async function inRedis<T>(look: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
    try {
      return await look(client)
    } finally {
      client.disconnect()
    }
  }

  /** How many connections the BFFs have open to the test's Redis. */
  async function bffConnections(): Promise<number> {
    const clients = String(await inRedis((client) => client.client('LIST')))
    return clients.split('\n').filter((line) => line.includes('name=storefront-bff-rate-limit')).length
  }

  /** Two BFF processes with the same environment, both counting in the test's Redis; `deps` go to the first. */
  function replicas(deps: Parameters<typeof start>[1] = {}): Promise<[BffHarness, BffHarness]> {
    const overrides = { RATE_LIMIT_REDIS_URL: redis.url }
    return Promise.all([start(overrides, deps), start(overrides)])
  }

  it.each([0, 1])('lets 60 requests a minute through, spread over two BFFs, and answers the 61st 429 on BFF %i', async (last) => {
    const bffs = await replicas()
    const statuses: number[] = []
    for (let i = 0; i < 60; i++) {
      // Two thirds to one, a third to the other: neither sees more than 40 on its own.
      statuses.push((await page(bffs[i % 3 === 0 ? 1 : 0])).statusCode)
    }
    expect(statuses).toEqual(Array.from({ length: 60 }, () => 200))
    const limited = await page(bffs[last]!)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(limited.json()).toMatchObject({ status: 429, code: 'BFF_ERR_RATE_LIMITED' })
    const retryAfter = Number(limited.headers['retry-after'])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect((await page(bffs[1 - last]!)).statusCode).toBe(429)
    expect(bffs[0].fakes.products.requests.length + bffs[1].fakes.products.requests.length).toBe(60)
    expect(await inRedis((client) => client.get('storefront-bff-rate-limit:127.0.0.1'))).toBe('62')
    expect(await uncheckedTotal(bffs[0])).toBe(0)
  })

  it('counts each client address on its own, across both', async () => {
    const [first, second] = await replicas()
    const from = (bff: BffHarness, remoteAddress: string) => bff.app.inject({ method: 'GET', url: '/products/all', remoteAddress })
    for (let i = 0; i < 30; i++) {
      await from(first, '10.0.0.1')
      await from(second, '10.0.0.1')
    }
    expect((await from(second, '10.0.0.1')).statusCode).toBe(429)
    expect((await from(first, '10.0.0.2')).statusCode).toBe(200)
  })

  it('lets every page through once Redis stops, within the check\'s bound, counts each one on /metrics and warns once', async () => {
    const log = capturedLog()
    const [first, second] = await replicas({ logger: log.logger })
    for (let i = 0; i < 60; i++) {
      await page(i % 2 === 0 ? first : second)
    }
    expect((await page(first)).statusCode).toBe(429)
    await redis.stop()
    for (let i = 0; i < 10; i++) {
      for (const bff of [first, second]) {
        const { value: answer, elapsedMs, lagMs } = await timed(() => page(bff))
        expect(answer.statusCode).toBe(200)
        expect(elapsedMs).toBeLessThan(CHECK_TIMEOUT_MS + PAGE_SLACK_MS + lagMs)
      }
    }
    expect(await uncheckedTotal(first)).toBe(10)
    expect(await uncheckedTotal(second)).toBe(10)
    const warnings = log.lines().filter((line) => line.level === 40)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ msg: expect.stringMatching(/^rate limit store failing/), store: redis.url })
  })

  it('waits at most RATE_LIMIT_REDIS_TIMEOUT_MS for a Redis that has stopped answering, then lets the page through', async () => {
    const [bff] = await replicas()
    expect((await page(bff)).statusCode).toBe(200)
    redis.pause()
    try {
      for (let i = 0; i < 3; i++) {
        const { value: answer, elapsedMs, lagMs } = await timed(() => page(bff))
        expect(answer.statusCode).toBe(200)
        // The check waited for its answer, and no longer than its bound.
        expect(elapsedMs).toBeGreaterThanOrEqual(CHECK_TIMEOUT_MS * 0.9)
        expect(elapsedMs).toBeLessThan(CHECK_TIMEOUT_MS + PAGE_SLACK_MS + lagMs)
      }
      expect(await uncheckedTotal(bff)).toBe(3)
    } finally {
      redis.resume()
    }
  })

  it('shares the limit again once Redis is back, and says so', async () => {
    const log = capturedLog()
    const [first, second] = await replicas({ logger: log.logger })
    await redis.stop()
    expect((await page(first)).statusCode).toBe(200)
    await redis.restart()
    // Each client reconnects within about a second; until then the pages go through unchecked.
    await expect.poll(bffConnections, { timeout: 5000 }).toBe(2)
    expect(await eventually(() => log.lines().some((line) => line.msg.startsWith('rate limit store reachable again')), 1000)).toBe(true)
    const before = await uncheckedTotal(first) ?? 0
    for (let i = 0; i < 60; i++) {
      await page(i % 2 === 0 ? first : second)
    }
    expect((await page(second)).statusCode).toBe(429)
    expect(await uncheckedTotal(first)).toBe(before)
  })

  it('closes its connection to Redis when the app closes, without waiting on a Redis that does not answer', async () => {
    const [first, second] = await replicas()
    expect(await bffConnections()).toBe(2)
    await first.app.close()
    await expect.poll(bffConnections).toBe(1)
    redis.pause()
    const { elapsedMs } = await timed(() => second.app.close())
    redis.resume()
    expect(elapsedMs).toBeLessThan(500)
    await expect.poll(bffConnections).toBe(0)
  })
})

describe('a rate limit store that cannot be reached', () => {
  it('lets the BFF start and answer, and never writes the URL\'s password to the log', async () => {
    const password = 'Zq3vY8pL2mN7xR4tB9wK6sD1fH5jG0cE'
    const origin = new URL(await closedPortUrl())
    const log = capturedLog()
    const { value: bff, elapsedMs } = await timed(() => start({ RATE_LIMIT_REDIS_URL: `redis://bff:${password}@127.0.0.1:${origin.port}/3` }, { logger: log.logger }))
    expect(elapsedMs).toBeLessThan(1000 + PAGE_SLACK_MS)
    expect((await page(bff)).statusCode).toBe(200)
    expect(await uncheckedTotal(bff)).toBe(1)
    expect(log.lines().filter((line) => line.level === 40)).toMatchObject([{ store: `redis://127.0.0.1:${origin.port}/3` }])
    expect(log.text()).not.toContain(password)
  })
})
