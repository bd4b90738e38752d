import type { AddressInfo } from 'node:net'

import { Client } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'

import { testBaseEnv } from '../testing/test-env.js'
import { createServiceApp } from './create-service-app.js'

const clients: Client[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()))
})

/** A service answering `GET /slow` after `ms`, listening on a free loopback port. */
async function slowService(ms: number): Promise<{ app: ReturnType<typeof createServiceApp>; origin: string }> {
  const app = createServiceApp({ service: 'demo', env: testBaseEnv(8999), logger: false, processMetrics: false, requireServiceToken: false })
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, ms))
    return { done: true }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

describe('closing a service', () => {
  it('finishes a request in flight on a keep-alive connection, then closes that connection at once rather than after the keep-alive timeout', async () => {
    const { app, origin } = await slowService(150)
    const client = new Client(origin)
    clients.push(client)
    // One answered request first, so the one in flight at close runs on a kept-alive connection.
    await (await client.request({ path: '/slow', method: 'GET' })).body.dump()
    const inFlight = client.request({ path: '/slow', method: 'GET' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const closingAt = performance.now()
    const closed = app.close()
    const response = await inFlight
    expect(response.statusCode).toBe(200)
    expect(await response.body.json()).toEqual({ done: true })
    await closed
    // The answer took ~130 ms more; with its connection kept open, close() would wait 72 s (and
    // with Node's keep-alive buffer alone, over a second).
    expect(performance.now() - closingAt).toBeLessThan(500)
  })
})
