import { CircuitOpenError, Deadline, TimeoutError } from '@storefront/resilience'
import { afterEach, describe, expect, it } from 'vitest'

import { failure } from './test-support/failure.js'
import { FaultServer, closedPortUrl, json } from './test-support/fault-server.js'
import type { UpstreamClientOptions } from './upstream-client-options.js'
import { UpstreamClient } from './upstream-client.js'

const servers: FaultServer[] = []
const clients: UpstreamClient[] = []

/** A server on `host` answering 200 until told otherwise. */
async function replica(host: string, port = 0): Promise<FaultServer> {
  const server = await FaultServer.start(host, port)
  server.handle((_req, res) => { json(res, 200, { from: host }) })
  servers.push(server)
  return server
}

function client(url: UpstreamClientOptions['url'], options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const made = new UpstreamClient({ name: 'inventory', url, token: 'test-service-token-123', retry: { intervalMs: 1 }, ...options })
  clients.push(made)
  return made
}

const anything = (value: unknown): unknown => value

function get(made: UpstreamClient, options: { deadlineMs?: number; ownDeadlineMs?: number } = {}): Promise<unknown> {
  return made.getJson('/inventory?product_ids=1', {
    deadline: Deadline.after(options.deadlineMs ?? 1000),
    ...(options.ownDeadlineMs === undefined ? {} : { ownDeadline: Deadline.after(options.ownDeadlineMs) }),
    parse: anything,
  })
}

function states(made: UpstreamClient): string[] {
  return made.replicaStats.map((stats) => stats.state)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.close()))
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('UpstreamClient over several replicas', () => {
  it('spreads sequential calls over every replica in turn', async () => {
    const [a, b, c] = await Promise.all([replica('127.0.0.1'), replica('127.0.0.2'), replica('127.0.0.3')])
    const made = client([a.url, b.url, c.url])
    for (let index = 0; index < 9; index++) {
      await get(made)
    }
    expect([a.calls, b.calls, c.calls]).toEqual([3, 3, 3])
    expect(made.replicaStats).toEqual([a, b, c].map((server) => ({ origin: server.url, state: 'healthy', pending: 0, consecutiveFailures: 0, ejections: 0, ejectedForMs: 0 })))
  })

  it('ejects a replica that refuses connections after consecutiveFailures tries, each retried on the other, with the breaker closed', async () => {
    const up = await replica('127.0.0.1')
    const down = await closedPortUrl('127.0.0.2')
    const made = client([up.url, down], { outlierDetection: { consecutiveFailures: 3 } })
    for (let index = 0; index < 12; index++) {
      await get(made)
    }
    expect(up.calls).toBe(12)
    expect(made.replicaStats.map((stats) => [stats.origin, stats.state, stats.consecutiveFailures])).toEqual([[up.url, 'healthy', 0], [down, 'ejected', 3]])
    expect(made.ejectedReplicas).toBe(1)
    expect(made.breaker.stats).toMatchObject({ state: 'closed', totalFailures: 0 })
  })

  it('opens the breaker when every replica fails', async () => {
    const [a, b] = await Promise.all([replica('127.0.0.1'), replica('127.0.0.2')])
    for (const server of [a, b]) {
      server.handle((_req, res) => { json(res, 503, {}) })
    }
    const made = client([a.url, b.url], { retry: { maxAttempts: 1 }, breaker: { maxFailures: 3 } })
    for (let index = 0; index < 4; index++) {
      await failure(get(made))
    }
    expect(made.breaker.state).toBe('open')
    expect(await failure(get(made))).toBeInstanceOf(CircuitOpenError)
    // A's first failure, with B not yet called, did not count: B was still known to answer.
    expect(made.breaker.stats.totalFailures).toBe(3)
  })

  it('takes a replica whose 500s got it ejected back through one probe call once it answers again', async () => {
    const [a, b] = await Promise.all([replica('127.0.0.1'), replica('127.0.0.2')])
    b.handle((_req, res) => { json(res, 500, {}) })
    const made = client([a.url, b.url], { outlierDetection: { consecutiveFailures: 2, baseEjectionMs: 150 } })
    for (let index = 0; index < 4; index++) {
      await get(made)
    }
    expect(states(made)).toEqual(['healthy', 'ejected'])
    expect(b.calls).toBe(2)
    b.handle((_req, res) => { json(res, 200, {}) })
    await sleep(160)
    expect(states(made)).toEqual(['healthy', 'probation'])
    await get(made)
    expect(b.calls).toBe(3)
    expect(states(made)).toEqual(['healthy', 'healthy'])
  })

  it('retries a GET whose connection the server closed on the other replica', async () => {
    const [a, b] = await Promise.all([replica('127.0.0.1'), replica('127.0.0.2')])
    // A closes every connection as a request arrives, as a server that is shutting down may.
    a.handle((req) => { req.socket.destroy() })
    const made = client([a.url, b.url], { outlierDetection: { consecutiveFailures: 100 } })
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(made)))
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ from: '127.0.0.2' })))
    expect(b.calls).toBe(10)
    expect(a.calls).toBeGreaterThanOrEqual(1)
    expect(made.breaker.stats.totalFailures).toBe(0)
  })

  it('ejects a replica that hangs past the downstream\'s own budget, with the breaker closed while the other answers', async () => {
    const [a, b] = await Promise.all([replica('127.0.0.1'), replica('127.0.0.2')])
    a.handle(() => {})
    const made = client([a.url, b.url], { outlierDetection: { consecutiveFailures: 2 }, breaker: { maxFailures: 1 } })
    const outcomes: string[] = []
    for (let index = 0; index < 6; index++) {
      outcomes.push(await get(made, { deadlineMs: 2000, ownDeadlineMs: 50 }).then(() => 'ok', (error: unknown) => (error instanceof TimeoutError ? 'timeout' : String(error))))
    }
    expect(outcomes).toEqual(['timeout', 'ok', 'timeout', 'ok', 'ok', 'ok'])
    expect(states(made)).toEqual(['ejected', 'healthy'])
    expect(made.breaker.stats).toMatchObject({ state: 'closed', totalFailures: 0 })
  })

  it('does not judge a replica by a call the caller cut short', async () => {
    const [a, b] = await Promise.all([replica('127.0.0.1'), replica('127.0.0.2')])
    a.handle(() => {})
    const made = client([a.url, b.url], { outlierDetection: { consecutiveFailures: 1 } })
    await failure(get(made, { deadlineMs: 50 }))
    expect(made.replicaStats[0]).toMatchObject({ state: 'healthy', consecutiveFailures: 0 })
  })
})

describe('UpstreamClient with a host name', () => {
  it('calls every address the name resolves to, and follows the addresses as they come and go', async () => {
    const a = await replica('127.0.0.1')
    const [b, c] = await Promise.all([replica('127.0.0.2', a.port), replica('127.0.0.3', a.port)])
    let addresses = ['127.0.0.1', '127.0.0.2']
    const made = client(`http://inventory.internal:${a.port}`, { resolve: () => Promise.resolve(addresses), resolveIntervalMs: 50 })
    expect(made.origin).toBe(`http://inventory.internal:${a.port}`)
    for (let index = 0; index < 4; index++) {
      await get(made)
    }
    expect([a.calls, b.calls, c.calls]).toEqual([2, 2, 0])
    expect(a.openConnections).toBe(1)

    addresses = ['127.0.0.2', '127.0.0.3']
    await sleep(120)
    expect(made.replicaStats.map((stats) => stats.origin)).toEqual([b.url, c.url])
    // The pool of the address that went is closed, and with it its connection.
    expect(a.openConnections).toBe(0)
    for (let index = 0; index < 4; index++) {
      await get(made)
    }
    expect([a.calls, b.calls, c.calls]).toEqual([2, 4, 2])
  })

  it('keeps the addresses it has when the name cannot be resolved for a while', async () => {
    const a = await replica('127.0.0.1')
    let fail = false
    const made = client(`http://inventory.internal:${a.port}`, {
      resolve: () => (fail ? Promise.reject(new Error('getaddrinfo EAI_AGAIN')) : Promise.resolve(['127.0.0.1'])),
      resolveIntervalMs: 20,
    })
    await get(made)
    fail = true
    await sleep(60)
    await get(made)
    expect(a.calls).toBe(2)
  })

  it('fails a call with UPSTREAM_ERR_CONNECT while the name has no address', async () => {
    const made = client('http://nowhere.internal:8001', { resolve: () => Promise.reject(new Error('getaddrinfo ENOTFOUND')), retry: { maxAttempts: 1 } })
    expect(await failure(get(made))).toMatchObject({ code: 'UPSTREAM_ERR_CONNECT', message: 'inventory has no address to call' })
  })

  it('resolves the name again soon after a replica is ejected', async () => {
    const down = await closedPortUrl('127.0.0.2')
    const up = await replica('127.0.0.3', Number(new URL(down).port))
    let resolutions = 0
    const made = client(`http://inventory.internal:${up.port}`, {
      resolve: () => {
        resolutions++
        return Promise.resolve(resolutions === 1 ? ['127.0.0.2', '127.0.0.3'] : ['127.0.0.3'])
      },
      resolveIntervalMs: 60_000,
      outlierDetection: { consecutiveFailures: 1, baseEjectionMs: 50 },
    })
    await get(made)
    await get(made)
    expect(states(made)).toEqual(['ejected', 'healthy'])
    // An ejection asks for a resolution once a second at most: this one came too soon after the first.
    expect(resolutions).toBe(1)
    await sleep(1000)
    // The probe of 127.0.0.2 fails, ejects it again, and this time the name is resolved again.
    await get(made)
    await sleep(20)
    expect(resolutions).toBe(2)
    expect(made.replicaStats.map((stats) => stats.origin)).toEqual([up.url])
  })

  it('treats localhost as one replica, not one per address', async () => {
    const a = await replica('127.0.0.1')
    const made = client(`http://localhost:${a.port}`)
    await get(made)
    expect(made.replicaStats.map((stats) => stats.origin)).toEqual([`http://localhost:${a.port}`])
  })
})
