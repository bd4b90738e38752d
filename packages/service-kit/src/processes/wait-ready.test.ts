import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { waitReady } from './wait-ready.js'

describe('waitReady', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
    server = undefined
  })

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler)
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('waits until /health/ready answers 200, and names what never did', async () => {
    let calls = 0
    const origin = await listen((req, res) => {
      calls += 1
      res.statusCode = req.url === '/health/ready' && calls >= 3 ? 200 : 503
      res.end()
    })
    const notReady = await waitReady(
      [{ name: 'up', origin }, { name: 'down', origin: 'http://127.0.0.1:1' }],
      { intervalMs: 20, timeoutMs: 1000 },
    )
    expect(notReady).toEqual(['down'])
    expect(calls).toBe(3)
  })

  it('stops after the round in which the signal aborts, naming what is not ready', async () => {
    const stop = new AbortController()
    let calls = 0
    const origin = await listen((_req, res) => {
      calls += 1
      if (calls === 2) {
        stop.abort()
      }
      res.statusCode = 503
      res.end()
    })
    const notReady = await waitReady([{ name: 'starting', origin }], { intervalMs: 20, timeoutMs: 10_000, signal: stop.signal })
    expect(notReady).toEqual(['starting'])
    expect(calls).toBe(2)
  })
})
