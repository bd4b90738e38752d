import type { FastifyInstance, FastifySchema } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { authHeaders, testBaseEnv } from '../testing/test-env.js'
import { createServiceApp } from './create-service-app.js'

const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** A service with a route of each kind: no schema, a schema without a query, a lax query, a strict one. */
function build(): FastifyInstance {
  const app = createServiceApp({ service: 'demo', env: testBaseEnv(8999, { FAULT_CONTROL: 'true' }), logger: false, processMetrics: false })
  app.get('/bare', () => ({ ok: true }))
  app.get('/typed/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string' } } } } }, () => ({ ok: true }))
  app.get<{ Querystring: { limit?: string } }>('/lax', { schema: { querystring: { type: 'object', properties: { limit: { type: 'string' } } } } }, (request) => ({ limit: request.query.limit ?? null }))
  // Fastify takes `query` for `querystring` at run time, though its types do not declare it.
  const aliased = { query: { type: 'object', additionalProperties: false, properties: { after: { type: 'string' } } } } as unknown as FastifySchema
  app.get<{ Querystring: { after?: string } }>('/alias', { schema: aliased }, (request) => ({ after: request.query.after ?? null }))
  app.post('/write', { schema: { body: { type: 'object', properties: { n: { type: 'integer' } } } } }, (_request, reply) => reply.code(201).send({ ok: true }))
  apps.push(app)
  return app
}

/** Asserts a 400 problem that names `name` as an unknown query parameter. */
function expectUnknownParameter(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, name: string): void {
  expect(response.statusCode).toBe(400)
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  expect(response.json()).toMatchObject({ status: 400, code: 'SVC_ERR_VALIDATION', detail: `Unknown query parameter "${name}".`, request_id: response.headers['x-request-id'] })
}

describe('unknown query parameters', () => {
  it('are a 400 problem naming the parameter on a route that declares no schema at all', async () => {
    const app = build()
    expectUnknownParameter(await app.inject({ method: 'GET', url: '/bare?colour=red', headers: authHeaders }), 'colour')
    expect((await app.inject({ method: 'GET', url: '/bare', headers: authHeaders })).statusCode).toBe(200)
    // An empty query is no parameter at all.
    expect((await app.inject({ method: 'GET', url: '/bare?', headers: authHeaders })).statusCode).toBe(200)
  })

  it('are a 400 problem on a route whose schema declares no query, and on its HEAD twin', async () => {
    const app = build()
    expectUnknownParameter(await app.inject({ method: 'GET', url: '/typed/7?debug', headers: authHeaders }), 'debug')
    expect((await app.inject({ method: 'HEAD', url: '/typed/7?debug', headers: authHeaders })).statusCode).toBe(400)
  })

  it('are a 400 problem on a route whose query schema would let them through, while its own parameters still work', async () => {
    const app = build()
    expectUnknownParameter(await app.inject({ method: 'GET', url: '/lax?limit=5&offset=10', headers: authHeaders }), 'offset')
    const served = await app.inject({ method: 'GET', url: '/lax?limit=5', headers: authHeaders })
    expect(served.json()).toEqual({ limit: '5' })
  })

  it('are a 400 problem on a route that declares its query under `query`', async () => {
    const app = build()
    expectUnknownParameter(await app.inject({ method: 'GET', url: '/alias?after=3&before=9', headers: authHeaders }), 'before')
    expect((await app.inject({ method: 'GET', url: '/alias?after=3', headers: authHeaders })).json()).toEqual({ after: '3' })
  })

  it('are a 400 problem on a write with a valid body', async () => {
    const app = build()
    expectUnknownParameter(await app.inject({ method: 'POST', url: '/write?dry_run=1', headers: authHeaders, payload: { n: 1 } }), 'dry_run')
  })

  it('are a 400 problem on the kit\'s own routes: health, metrics and fault control', async () => {
    const app = build()
    for (const url of ['/health/live?probe=1', '/health/ready?probe=1', '/metrics?probe=1']) {
      expectUnknownParameter(await app.inject({ method: 'GET', url }), 'probe')
    }
    expectUnknownParameter(await app.inject({ method: 'GET', url: '/ops/faults?probe=1', headers: authHeaders }), 'probe')
  })

  it('come after the service token: a caller without one learns nothing about the route', async () => {
    const app = build()
    expect((await app.inject({ method: 'GET', url: '/bare?colour=red' })).statusCode).toBe(401)
  })

  it('cannot be let through by a query schema the kit cannot make strict: registering it fails', async () => {
    const app = build()
    expect(() => app.get('/composed', { schema: { querystring: { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }] } } }, () => ({}))).toThrow(
      /GET \/composed: a querystring schema must be a plain object schema/,
    )
  })
})
