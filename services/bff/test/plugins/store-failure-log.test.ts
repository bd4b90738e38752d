import type { FastifyBaseLogger } from 'fastify'
import { describe, expect, it } from 'vitest'

import { STORE_WARNING_INTERVAL_MS, StoreFailureLog } from '../../src/plugins/rate-limit/store-failure-log.js'

/** A logger that keeps what was written at warn and info, and a clock the test moves. */
function setUp() {
  const written: [level: string, fields: Record<string, unknown>, message: string][] = []
  const keep = (level: string) => (fields: Record<string, unknown>, message: string) => {
    written.push([level, fields, message])
  }
  const log = { warn: keep('warn'), info: keep('info') } as unknown as FastifyBaseLogger
  let nowMs = 0
  const failures = new StoreFailureLog(log, 'redis://10.0.0.5:6379/0', () => nowMs)
  return {
    failures,
    written,
    advance: (ms: number) => {
      nowMs += ms
    },
  }
}

describe('StoreFailureLog', () => {
  it('warns on the first failure, then at most once per STORE_WARNING_INTERVAL_MS, with the requests let through since the last warning', () => {
    const { failures, written, advance } = setUp()
    const error = new Error('Command timed out')
    failures.checkFailed(error)
    for (let i = 0; i < 5; i++) {
      advance(STORE_WARNING_INTERVAL_MS / 10)
      failures.checkFailed(error)
    }
    advance(STORE_WARNING_INTERVAL_MS / 2 - 1)
    failures.checkFailed(error)
    expect(written.map(([level, fields]) => [level, fields.unchecked])).toEqual([['warn', 1]])
    advance(1)
    failures.checkFailed(error)
    expect(written.map(([level, fields]) => [level, fields.unchecked])).toEqual([['warn', 1], ['warn', 7]])
    expect(written[1]![1]).toMatchObject({ store: 'redis://10.0.0.5:6379/0', err: error })
    expect(written[1]![2]).toBe('rate limit store failing: requests go through without the limit until it answers again')
  })

  it('warns about a failed connection within the same interval, without counting a request', () => {
    const { failures, written, advance } = setUp()
    failures.connectionFailed(new Error('connect ECONNREFUSED 10.0.0.5:6379'))
    failures.checkFailed(new Error('Stream isn\'t writeable'))
    advance(STORE_WARNING_INTERVAL_MS)
    failures.connectionFailed(new Error('connect ECONNREFUSED 10.0.0.5:6379'))
    expect(written.map(([level, fields]) => [level, fields.unchecked])).toEqual([['warn', 0], ['warn', 1]])
  })

  it('says the store is back once after a warning, and never without one', () => {
    const { failures, written } = setUp()
    failures.connected()
    expect(written).toEqual([])
    failures.checkFailed(new Error('Connection is closed.'))
    failures.connected()
    failures.connected()
    expect(written.map(([level, , message]) => [level, message])).toEqual([
      ['warn', 'rate limit store failing: requests go through without the limit until it answers again'],
      ['info', 'rate limit store reachable again: the limit is shared again'],
    ])
  })
})
