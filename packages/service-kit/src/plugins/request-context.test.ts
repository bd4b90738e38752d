import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { createServiceApp } from '../http/create-service-app.js'
import { authHeaders, testBaseEnv } from '../testing/test-env.js'

const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/**
 * A service whose routes count how often their handler ran. `/slow-hook` waits 50 ms before the
 * handler; `/busy-hook` keeps the event loop busy for 30 ms, so no timer can fire before the handler.
 */
function build(): { app: FastifyInstance; handled: () => number } {
  const app = createServiceApp({ service: 'demo', env: testBaseEnv(8999), logger: false, processMetrics: false })
  let handled = 0
  const handler = (): { ok: true } => {
    handled++
    return { ok: true }
  }
  app.get('/things', handler)
  app.post('/things', { schema: { body: { type: 'object' } } }, handler)
  app.get('/slow-hook', {
    preValidation: (_request, _reply, done) => {
      setTimeout(done, 50)
    },
  }, handler)
  app.get('/busy-hook', {
    preHandler: (_request, _reply, done) => {
      const until = performance.now() + 30
      while (performance.now() < until) {
        // Busy on purpose: the deadline passes without any timer getting the chance to run.
      }
      done()
    },
  }, handler)
  apps.push(app)
  return { app, handled: () => handled }
}

describe('a spent budget', () => {
  it('x-request-timeout-ms: 0 is answered 504 at once with a problem, and the handler never runs', async () => {
    const { app, handled } = build()
    await app.ready()
    for (const method of ['GET', 'POST'] as const) {
      const startedAt = performance.now()
      const response = await app.inject({ method, url: '/things', headers: { ...authHeaders, 'x-request-timeout-ms': '0', 'x-request-id': `spent-${method}` }, ...(method === 'POST' ? { payload: {} } : {}) })
      expect(performance.now() - startedAt).toBeLessThan(250)
      expect(response.statusCode).toBe(504)
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
      expect(response.headers['x-request-id']).toBe(`spent-${method}`)
      expect(response.json()).toMatchObject({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED', instance: '/things', request_id: `spent-${method}` })
    }
    expect(handled()).toBe(0)
  })

  it('a budget that runs out before the handler starts is answered 504, and the handler never runs', async () => {
    const { app, handled } = build()
    const response = await app.inject({ method: 'GET', url: '/slow-hook', headers: { ...authHeaders, 'x-request-timeout-ms': '10' } })
    expect(response.statusCode).toBe(504)
    expect(response.json()).toMatchObject({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED' })
    // Give a handler that was wrongly started after the answer the time to show itself.
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(handled()).toBe(0)
  })

  it('a budget that ran out while the event loop was busy is answered 504 when the handler would start, and the handler never runs', async () => {
    const { app, handled } = build()
    const response = await app.inject({ method: 'GET', url: '/busy-hook', headers: { ...authHeaders, 'x-request-timeout-ms': '5' } })
    expect(response.statusCode).toBe(504)
    expect(response.json()).toMatchObject({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(handled()).toBe(0)
  })

  it('leaves a budget that is still running alone: the handler serves it', async () => {
    const { app, handled } = build()
    const response = await app.inject({ method: 'GET', url: '/things', headers: { ...authHeaders, 'x-request-timeout-ms': '1000' } })
    expect(response.statusCode).toBe(200)
    expect(handled()).toBe(1)
  })
})
