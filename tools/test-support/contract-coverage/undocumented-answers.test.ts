import { describe, expect, it } from 'vitest'

import type { RecordedAnswer } from '../../../packages/service-kit/src/testing/index.js'
import { type OpenApiDocument, undocumentedAnswers } from './undocumented-answers.js'

const problem = (codes: string[]): unknown => ({
  'application/problem+json': { schema: { type: 'object', properties: { code: { type: 'string', enum: codes } } } },
})

const products: OpenApiDocument = {
  paths: {
    '/products/{id}': {
      get: {
        responses: {
          200: { headers: { 'x-request-id': {}, 'cache-control': {} }, content: { 'application/json': { schema: {} } } },
          404: { headers: { 'x-request-id': {} }, content: problem(['PRODUCTS_ERR_NOT_FOUND']) },
          '5XX': { headers: { 'x-request-id': {}, 'retry-after': {} }, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ServerProblem' } } } },
        },
      },
      delete: { responses: { default: { content: problem(['SVC_ERR_INTERNAL']) } } },
    },
  },
  components: { schemas: { ServerProblem: { type: 'object', properties: { code: { type: 'string', enum: ['SVC_ERR_INTERNAL', 'SVC_ERR_DATABASE_UNAVAILABLE'] } } } } },
}

const documents = new Map([['products', products]])

function answer(overrides: Partial<RecordedAnswer>): RecordedAnswer {
  return { service: 'products', method: 'GET', route: '/products/:id', status: 200, headers: ['x-request-id'], ...overrides }
}

describe('undocumentedAnswers', () => {
  it('passes answers their document lists: status, code, headers, a range, a HEAD as its GET, a $ref', () => {
    expect(undocumentedAnswers(documents, [
      answer({ headers: ['cache-control', 'x-request-id'] }),
      answer({ status: 404, code: 'PRODUCTS_ERR_NOT_FOUND' }),
      answer({ status: 503, code: 'SVC_ERR_DATABASE_UNAVAILABLE', headers: ['retry-after', 'x-request-id'] }),
      answer({ method: 'HEAD' }),
    ])).toEqual([])
  })

  it('catches a status the route does not list', () => {
    const teapot = answer({ status: 418 })
    expect(undocumentedAnswers(documents, [teapot])).toEqual([{ answer: teapot, missing: 'no 418 response' }])
  })

  it('catches a code the status does not list, through a $ref too', () => {
    const other = answer({ status: 404, code: 'SVC_ERR_NOT_FOUND' })
    const deadline = answer({ status: 504, code: 'SVC_ERR_DEADLINE_EXCEEDED' })
    expect(undocumentedAnswers(documents, [other, deadline]).map(({ missing }) => missing)).toEqual([
      'code SVC_ERR_NOT_FOUND not among PRODUCTS_ERR_NOT_FOUND',
      'code SVC_ERR_DEADLINE_EXCEEDED not among SVC_ERR_INTERNAL, SVC_ERR_DATABASE_UNAVAILABLE',
    ])
  })

  it('catches a contract header the response does not declare', () => {
    const limited = answer({ headers: ['retry-after', 'x-request-id'] })
    expect(undocumentedAnswers(documents, [limited])).toEqual([{ answer: limited, missing: 'header retry-after not declared' }])
  })

  it('catches a route or method without an operation, and takes no `default` response for a listing', () => {
    expect(undocumentedAnswers(documents, [
      answer({ route: '/products' }),
      answer({ method: 'PUT' }),
      answer({ method: 'DELETE', status: 500, code: 'SVC_ERR_INTERNAL' }),
    ]).map(({ missing }) => missing)).toEqual(['no operation', 'no operation', 'no 500 response'])
  })

  it('leaves out answers no route matched and services without a document', () => {
    expect(undocumentedAnswers(documents, [
      answer({ route: null, status: 404, code: 'SVC_ERR_NOT_FOUND' }),
      answer({ service: 'kit-test', route: '/anything', status: 418 }),
    ])).toEqual([])
  })
})
