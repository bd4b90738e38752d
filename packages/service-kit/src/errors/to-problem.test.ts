import { BulkheadRejectedError, CircuitOpenError, LimitExceededError, ThrottledError, TimeoutError } from '@storefront/resilience'
import { describe, expect, it } from 'vitest'

import { UpstreamError } from '../clients/upstream-error.js'
import { AppError, defineErrors } from './app-error.js'
import { toProblem } from './to-problem.js'

describe('toProblem', () => {
  it('answers an AppError with its own status, code, title, detail and headers', () => {
    const errors = defineErrors({ GONE: ['TEST_ERR_GONE', 'Gone for good', 410] })
    const { problem, headers } = toProblem(new AppError(errors.GONE, 'It left.', { headers: { link: '<x>' } }))
    expect(problem).toEqual({ type: 'urn:storefront:problem:test-err-gone', title: 'Gone for good', status: 410, detail: 'It left.', code: 'TEST_ERR_GONE' })
    expect(headers).toEqual({ link: '<x>' })
  })

  it('maps the resilience errors: timeout 504, open circuit 503 with retry-after, full bulkhead 503', () => {
    expect(toProblem(new TimeoutError(1000)).problem.status).toBe(504)
    const open = toProblem(new CircuitOpenError(2500, 'products'))
    expect(open.problem.status).toBe(503)
    expect(open.headers['retry-after']).toBe('3')
    expect(toProblem(new CircuitOpenError(Infinity)).headers['retry-after']).toBe('60')
    expect(toProblem(new BulkheadRejectedError(1, 0)).problem.status).toBe(503)
  })

  it('maps a throttle refusal and a reached concurrency limit to 503 with retry-after 1', () => {
    for (const error of [new ThrottledError(0.8), new LimitExceededError(5)]) {
      const { problem, headers } = toProblem(error)
      expect(problem).toMatchObject({ status: 503, code: 'SVC_ERR_UPSTREAM_UNAVAILABLE' })
      expect(headers['retry-after']).toBe('1')
    }
  })

  it('maps Fastify validation and body errors to 400, 413 and 415', () => {
    expect(toProblem(Object.assign(new Error('body/quantity must be integer'), { validation: [], statusCode: 400 })).problem).toMatchObject({ status: 400, code: 'SVC_ERR_VALIDATION', detail: 'body/quantity must be integer' })
    expect(toProblem(Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).problem.status).toBe(413)
    expect(toProblem(Object.assign(new Error('bad type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).problem.status).toBe(415)
    expect(toProblem(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 })).problem.code).toBe('SVC_ERR_BAD_JSON')
  })

  it('hides the message of anything unexpected behind a 500', () => {
    const { problem } = toProblem(new Error('connection to 10.0.0.5:5432 refused; password=hunter2'))
    expect(problem.status).toBe(500)
    expect(problem.detail).not.toMatch(/10\.0\.0\.5|hunter2/)
    expect(toProblem('a string').problem.status).toBe(500)
    expect(toProblem(undefined).problem.status).toBe(500)
  })
})

describe('toProblem for a failed downstream', () => {
  it('answers 502 without the downstream\'s own message', () => {
    const error = new UpstreamError('UPSTREAM_ERR_STATUS', 'products answered 500: relation "x" does not exist', { downstream: 'products', status: 500 })
    const { problem } = toProblem(error)
    expect(problem).toMatchObject({ status: 502, code: 'SVC_ERR_UPSTREAM_FAILED' })
    expect(problem.detail).not.toMatch(/relation/)
  })
})
