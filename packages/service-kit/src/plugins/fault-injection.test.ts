import { afterEach, describe, expect, it } from 'vitest'

import { type BaseEnv, baseEnv } from '../config/base-env.js'
import { readEnv } from '../config/env.js'
import { createServiceApp } from '../http/create-service-app.js'
import { TEST_SERVICE_TOKEN, authHeaders } from '../testing/test-env.js'

const apps: { close(): Promise<unknown> }[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

function build(vars: Record<string, string>, requireServiceToken = true) {
  const env: BaseEnv = readEnv(baseEnv(8999), { SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', ...vars })
  const app = createServiceApp({ service: 'demo', env, logger: false, processMetrics: false, requireServiceToken })
  app.get('/things', () => ({ ok: true }))
  apps.push(app)
  return app
}

describe('fault control', () => {
  it('is absent unless FAULT_CONTROL=true', async () => {
    const app = build({})
    expect((await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload: { delay_ms: null, error_rate: 1 } })).statusCode).toBe(404)
  })

  it('turns errors on and off while the service runs, behind the service token', async () => {
    const app = build({ FAULT_CONTROL: 'true' })
    expect((await app.inject({ method: 'GET', url: '/things', headers: authHeaders })).statusCode).toBe(200)
    const anonymous = await app.inject({ method: 'PUT', url: '/ops/faults', payload: { delay_ms: null, error_rate: 1 } })
    expect(anonymous.statusCode).toBe(401)
    const on = await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload: { delay_ms: null, error_rate: 1 } })
    expect(on.json()).toEqual({ delay_ms: null, error_rate: 1 })
    expect((await app.inject({ method: 'GET', url: '/things', headers: authHeaders })).statusCode).toBe(500)
    // Health and the control itself stay reachable, or the fault could never be turned off.
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload: { delay_ms: '30-30', error_rate: 0 } })
    const startedAt = performance.now()
    expect((await app.inject({ method: 'GET', url: '/things', headers: authHeaders })).statusCode).toBe(200)
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(28)
    expect((await app.inject({ method: 'GET', url: '/ops/faults', headers: authHeaders })).json()).toEqual({ delay_ms: '30-30', error_rate: 0 })
  })

  it('refuses settings that do not validate', async () => {
    const app = build({ FAULT_CONTROL: 'true' })
    for (const payload of [{ delay_ms: '50-10', error_rate: 0 }, { delay_ms: 'slow', error_rate: 0 }, { delay_ms: null, error_rate: 2 }, { error_rate: 0 }]) {
      const response = await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload })
      expect({ payload, status: response.statusCode }).toEqual({ payload, status: 400 })
    }
  })

  it('caps a delay at 60 000 ms, so no setting can hold a request for hours', async () => {
    const app = build({ FAULT_CONTROL: 'true' })
    for (const delay of ['9999999', '0-9999999', '60001', '0-60001']) {
      const response = await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload: { delay_ms: delay, error_rate: 0 } })
      expect({ delay, status: response.statusCode }).toEqual({ delay, status: 400 })
      expect(response.json<{ detail: string }>().detail).toMatch(/60000/)
    }
    const atCap = await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload: { delay_ms: '0-60000', error_rate: 0 } })
    expect(atCap.statusCode).toBe(200)
    expect(atCap.json()).toEqual({ delay_ms: '0-60000', error_rate: 0 })
    await app.inject({ method: 'PUT', url: '/ops/faults', headers: authHeaders, payload: { delay_ms: null, error_rate: 0 } })
  })

  it('is never offered by a service whose callers hold no token', async () => {
    const app = build({ FAULT_CONTROL: 'true' }, false)
    expect((await app.inject({ method: 'PUT', url: '/ops/faults', payload: { delay_ms: null, error_rate: 1 } })).statusCode).toBe(404)
  })
})
