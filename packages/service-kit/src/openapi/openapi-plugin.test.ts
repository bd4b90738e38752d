import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { AppError, defineErrors } from '../errors/app-error.js'
import { createServiceApp } from '../http/create-service-app.js'
import { authHeaders, testBaseEnv } from '../testing/test-env.js'

const demoErrors = defineErrors({
  GONE: ['DEMO_ERR_GONE', 'Gone for good', 404],
  BUSY: ['DEMO_ERR_BUSY', 'Busy', 409],
})

const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

interface Response {
  readonly headers?: Record<string, unknown>
  readonly content?: Record<string, { readonly schema: { readonly properties?: Record<string, { readonly enum?: unknown[] }> }; readonly example?: unknown }>
}

interface Operation {
  readonly security: unknown[]
  readonly responses: Record<string, Response>
}

/** A service with a read that throws its own 404 and a write that answers 204. */
function build(): FastifyInstance {
  const app = createServiceApp({ service: 'demo', env: testBaseEnv(8999), logger: false, processMetrics: false })
  const item = { type: 'object', properties: { id: { type: 'integer' } } }
  // A route module, as every service registers its routes: a plugin, loaded after the document's.
  void app.register((scope, _options, done) => {
    scope.get('/items/:id', {
      config: { docs: { errors: [demoErrors.GONE], request: { params: { id: '7' } }, response: { id: 7 } } },
      schema: { params: { type: 'object', properties: { id: { type: 'string' } } }, response: { 200: item } },
    }, () => {
      throw new AppError(demoErrors.GONE, 'Item 7 is gone.')
    })
    scope.put('/items/:id', {
      config: { docs: { errors: [{ error: demoErrors.BUSY, headers: ['retry-after'] }], noContent: true, request: { params: { id: '7' } } } },
      schema: { params: { type: 'object', properties: { id: { type: 'string' } } } },
    }, (_request, reply) => reply.code(204).send())
    done()
  })
  apps.push(app)
  return app
}

async function operation(app: FastifyInstance, method: string, path: string): Promise<Operation> {
  const answer = await app.inject({ method: 'GET', url: '/docs/json', headers: authHeaders })
  expect(answer.statusCode).toBe(200)
  return (answer.json<{ paths: Record<string, Record<string, Operation>> }>()).paths[path]![method]!
}

function codesOf(response: Response | undefined): unknown {
  return response?.content?.['application/problem+json']?.schema.properties?.code?.enum
}

describe('the OpenAPI document', () => {
  it('is served at /docs/json behind the service token', async () => {
    const app = build()
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/docs/json', headers: authHeaders })).json()).toMatchObject({ openapi: '3.0.3', info: { title: 'Storefront demo' } })
  })

  it('lists under each status exactly the codes the route and the kit answer with', async () => {
    const app = build()
    const read = await operation(app, 'get', '/items/{id}')
    expect(Object.keys(read.responses)).toEqual(['200', '400', '401', '404', '405', '500', '504'])
    expect(codesOf(read.responses['404'])).toEqual(['DEMO_ERR_GONE'])
    expect(codesOf(read.responses['400'])).toEqual(['SVC_ERR_BAD_REQUEST', 'SVC_ERR_VALIDATION'])
    expect(codesOf(read.responses['500'])).toEqual(['SVC_ERR_FAULT_INJECTED', 'SVC_ERR_INTERNAL'])
    expect(Object.keys(read.responses['405']!.headers!)).toEqual(['allow', 'x-request-id'])
    expect(read.security).toEqual([{ serviceToken: [] }])
    const write = await operation(app, 'put', '/items/{id}')
    expect(Object.keys(write.responses)).toEqual(['204', '400', '401', '405', '409', '413', '415', '500', '504'])
    expect(write.responses['204']!.content).toBeUndefined()
    expect(codesOf(write.responses['400'])).toEqual(['SVC_ERR_BAD_JSON', 'SVC_ERR_BAD_REQUEST', 'SVC_ERR_VALIDATION'])
    expect(Object.keys(write.responses['409']!.headers!)).toEqual(['retry-after', 'x-request-id'])
  })

  it('gives the examples of the route, and one problem per status', async () => {
    const app = build()
    const read = await operation(app, 'get', '/items/{id}')
    expect(read.responses['200']!.content!['application/json']!.example).toEqual({ id: 7 })
    expect(read.responses['404']!.content!['application/problem+json']!.example).toEqual({
      type: 'urn:storefront:problem:demo-err-gone',
      title: 'Gone for good',
      status: 404,
      detail: 'Gone for good.',
      code: 'DEMO_ERR_GONE',
      instance: '/items/7',
      request_id: expect.any(String),
    })
  })

  it('changes no answer: a problem keeps every field, and a success goes out through the route\'s own schema', async () => {
    const app = build()
    await app.inject({ method: 'GET', url: '/docs/json', headers: authHeaders })
    const gone = await app.inject({ method: 'GET', url: '/items/7', headers: { ...authHeaders, 'x-request-id': 'r-1' } })
    expect(gone.statusCode).toBe(404)
    expect(gone.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(gone.body).toBe(JSON.stringify({
      type: 'urn:storefront:problem:demo-err-gone',
      title: 'Gone for good',
      status: 404,
      detail: 'Item 7 is gone.',
      code: 'DEMO_ERR_GONE',
      instance: '/items/7',
      request_id: 'r-1',
    }))
    const done = await app.inject({ method: 'PUT', url: '/items/7', headers: authHeaders })
    expect({ status: done.statusCode, body: done.body }).toEqual({ status: 204, body: '' })
  })
})
