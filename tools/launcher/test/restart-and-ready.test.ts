import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { DEFAULT_BACKOFF, decideRestart } from '../src/child-process-supervisor.js'
import { waitReady } from '../src/wait-ready.js'

describe('decideRestart', () => {
  it('backs off 1 s, doubling, and gives up at the fifth quick crash in a row', () => {
    let crashes = 0
    const delays: number[] = []
    for (;;) {
      const decision = decideRestart(DEFAULT_BACKOFF, crashes, 500)
      crashes = decision.quickCrashes
      if (decision.action === 'give-up') {
        break
      }
      delays.push(decision.delayMs)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000])
    expect(crashes).toBe(5)
  })

  it('caps the delay at 30 s', () => {
    const decision = decideRestart({ ...DEFAULT_BACKOFF, maxQuickCrashes: 100 }, 10, 0)
    expect(decision).toEqual({ action: 'restart', delayMs: 30_000, quickCrashes: 11 })
  })

  it('resets after 60 s up: a late crash restarts after 1 s and does not count', () => {
    expect(decideRestart(DEFAULT_BACKOFF, 4, 60_000)).toEqual({ action: 'restart', delayMs: 1000, quickCrashes: 0 })
  })
})

describe('waitReady', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  })

  it('waits until /health/ready answers 200, and names what never did', async () => {
    let calls = 0
    server = createServer((req, res) => {
      calls += 1
      res.statusCode = req.url === '/health/ready' && calls >= 3 ? 200 : 503
      res.end()
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const notReady = await waitReady(
      [{ name: 'up', origin }, { name: 'down', origin: 'http://127.0.0.1:1' }],
      { intervalMs: 20, timeoutMs: 1000 },
    )
    expect(notReady).toEqual(['down'])
    expect(calls).toBe(3)
  })
})
