import { describe, expect, it } from 'vitest'

import { toProblem } from '../errors/to-problem.js'
import { databaseUnavailable, isDatabaseUnavailable } from './database-unavailable.js'

describe('isDatabaseUnavailable', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '08006', '08001'])('takes %s for a database that cannot be reached', (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(true)
  })

  it.each(['23505', '42P01', '57014', '22P02'])('takes %s for a statement that failed, not for an outage', (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(false)
  })

  it('ignores errors without a code', () => {
    expect(isDatabaseUnavailable(new Error('x'))).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
  })
})

describe('databaseUnavailable', () => {
  it('is a 503 problem with retry-after that does not repeat the driver\'s message', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54320'), { code: 'ECONNREFUSED' })
    const { problem, headers } = toProblem(databaseUnavailable(cause))
    expect(problem).toMatchObject({ status: 503, code: 'SVC_ERR_DATABASE_UNAVAILABLE' })
    expect(JSON.stringify(problem)).not.toContain('127.0.0.1')
    expect(headers).toEqual({ 'retry-after': '1' })
  })
})
