import { describe, expect, it, vi } from 'vitest'

import {
  BulkheadRejectedError,
  CircuitOpenError,
  LimitExceededError,
  ResilienceError,
  ThrottledError,
  TimeoutError,
  TooManyRetriesError,
  isBulkheadRejectedError,
  isCircuitOpenError,
  isLimitExceededError,
  isResilienceError,
  isThrottledError,
  isTimeoutError,
  isTooManyRetriesError,
} from './index.js'

const brand = Symbol.for('storefront.resilience.error')

/** What another installed copy of the package would throw: same brand, same code, other classes. */
function foreignError(code: string, fields: Record<string, unknown> = {}): Error {
  const error = Object.assign(new Error('from another copy'), { code }, fields)
  Object.defineProperty(error, brand, { value: true })
  return error
}

const guards = {
  isResilienceError,
  isTimeoutError,
  isTooManyRetriesError,
  isCircuitOpenError,
  isBulkheadRejectedError,
  isLimitExceededError,
  isThrottledError,
} as const

/** The guards that answer true for `value`, by name. */
function acceptedBy(value: unknown): string[] {
  return Object.entries(guards)
    .filter(([, guard]) => guard(value))
    .map(([name]) => name)
}

/** The classes whose `instanceof` answers true for `value`, by name. */
function instanceOfWhich(value: unknown): string[] {
  return [ResilienceError, TimeoutError, TooManyRetriesError, CircuitOpenError, BulkheadRejectedError, LimitExceededError, ThrottledError]
    .filter((type) => value instanceof type)
    .map((type) => type.name)
}

describe('TimeoutError', () => {
  it('has its name, code, timeoutMs, message and optional cause', () => {
    const cause = new Error('socket hang up')
    const error = new TimeoutError(250, { cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('TimeoutError')
    expect(error.code).toBe('RES_ERR_TIMEOUT')
    expect(TimeoutError.code).toBe('RES_ERR_TIMEOUT')
    expect(error.timeoutMs).toBe(250)
    expect(error.message).toBe('Operation timed out after 250 ms')
    expect(error.cause).toBe(cause)
    expect(new TimeoutError(12.345).message).toBe('Operation timed out after 12.3 ms')
    expect(new TimeoutError(1).cause).toBeUndefined()
    expect(String(error)).toBe('TimeoutError: Operation timed out after 250 ms')
  })
})

describe('TooManyRetriesError', () => {
  it('carries attempts, every attempt’s error and the last one as cause', () => {
    const errors = [new Error('one'), new Error('two'), new Error('three')]
    const error = new TooManyRetriesError(3, errors)
    expect(error.name).toBe('TooManyRetriesError')
    expect(error.code).toBe('RES_ERR_TOO_MANY_RETRIES')
    expect(error.attempts).toBe(3)
    expect(error.errors).toBe(errors)
    expect(error.cause).toBe(errors[2])
    expect(error.reason).toBe('attempts')
    expect(error.message).toBe('All 3 attempts failed')
  })

  it('says why retrying stopped', () => {
    const last = new Error('last')
    expect(new TooManyRetriesError(1, [last], 'attempts').message).toBe('All 1 attempt failed')
    expect(new TooManyRetriesError(2, [1, last], 'budget')).toMatchObject({
      reason: 'budget',
      message: 'Retry budget exhausted after 2 attempts',
      cause: last,
    })
    expect(new TooManyRetriesError(1, [last], 'deadline')).toMatchObject({
      reason: 'deadline',
      message: 'Deadline leaves no time to retry after 1 attempt',
    })
  })
})

describe('CircuitOpenError', () => {
  it('carries retryAfterMs and the breaker’s name', () => {
    const error = new CircuitOpenError(1500, 'inventory')
    expect(error).toMatchObject({
      name: 'CircuitOpenError',
      code: 'RES_ERR_CIRCUIT_OPEN',
      retryAfterMs: 1500,
      breaker: 'inventory',
      message: 'Circuit "inventory" is open',
    })
    expect(error.cause).toBeUndefined()
    expect(new CircuitOpenError(Infinity)).toMatchObject({ retryAfterMs: Infinity, breaker: undefined, message: 'Circuit is open' })
  })
})

describe('BulkheadRejectedError', () => {
  it('carries the bulkhead’s limits', () => {
    const error = new BulkheadRejectedError(10, 20)
    expect(error).toMatchObject({
      name: 'BulkheadRejectedError',
      code: 'RES_ERR_BULKHEAD_REJECTED',
      maxConcurrent: 10,
      maxQueue: 20,
      message: 'Bulkhead full (10 running, 20 queued)',
    })
  })
})

describe('LimitExceededError', () => {
  it('carries the limit in force', () => {
    const error = new LimitExceededError(12)
    expect(error).toMatchObject({
      name: 'LimitExceededError',
      code: 'RES_ERR_LIMIT_EXCEEDED',
      limit: 12,
      message: 'Concurrency limit reached (12 in flight)',
    })
  })
})

describe('ThrottledError', () => {
  it('carries the probability it was refused at', () => {
    const error = new ThrottledError(0.5)
    expect(error).toMatchObject({
      name: 'ThrottledError',
      code: 'RES_ERR_THROTTLED',
      probability: 0.5,
      message: 'Throttled locally (refusing 50% of calls)',
    })
  })
})

describe('ResilienceError', () => {
  it('is the base of every library error', () => {
    const error = new ResilienceError('custom', 'RES_ERR_CUSTOM', { cause: 'why' })
    expect(error).toMatchObject({ name: 'ResilienceError', code: 'RES_ERR_CUSTOM', message: 'custom', cause: 'why' })
    expect(ResilienceError.code).toBe('RES_ERR_RESILIENCE')
    for (const error of [new TimeoutError(1), new TooManyRetriesError(1, [0]), new CircuitOpenError(0), new BulkheadRejectedError(1, 0), new LimitExceededError(1), new ThrottledError(0.5)]) {
      expect(error).toBeInstanceOf(ResilienceError)
      expect(error).toBeInstanceOf(Error)
      expect(isResilienceError(error)).toBe(true)
    }
  })

  it('keeps its brand out of sight: not enumerable, not in JSON', () => {
    const error = new TimeoutError(5)
    expect(Object.keys(error).sort()).toEqual(['code', 'name', 'timeoutMs'])
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'RES_ERR_TIMEOUT', name: 'TimeoutError', timeoutMs: 5 })
    expect(Object.getOwnPropertySymbols(error)).toEqual([brand])
    expect(Object.getOwnPropertyDescriptor(error, brand)).toMatchObject({ value: true, enumerable: false, writable: false })
  })
})

describe('is* guards and instanceof', () => {
  it.each([
    [new TimeoutError(1), ['isResilienceError', 'isTimeoutError'], ['ResilienceError', 'TimeoutError']],
    [new TooManyRetriesError(1, [0]), ['isResilienceError', 'isTooManyRetriesError'], ['ResilienceError', 'TooManyRetriesError']],
    [new CircuitOpenError(1), ['isResilienceError', 'isCircuitOpenError'], ['ResilienceError', 'CircuitOpenError']],
    [new BulkheadRejectedError(1, 1), ['isResilienceError', 'isBulkheadRejectedError'], ['ResilienceError', 'BulkheadRejectedError']],
    [new LimitExceededError(1), ['isResilienceError', 'isLimitExceededError'], ['ResilienceError', 'LimitExceededError']],
    [new ThrottledError(0.5), ['isResilienceError', 'isThrottledError'], ['ResilienceError', 'ThrottledError']],
    [new ResilienceError('base', 'RES_ERR_OTHER'), ['isResilienceError'], ['ResilienceError']],
  ])('%s is accepted by exactly its own guard and class (and the base ones)', (error, expectedGuards, expectedClasses) => {
    expect(acceptedBy(error)).toEqual(expectedGuards)
    expect(instanceOfWhich(error)).toEqual(expectedClasses)
  })

  it.each([
    ['a plain Error', new Error('x')],
    ['an Error with a matching code but no brand', Object.assign(new Error('x'), { code: 'RES_ERR_TIMEOUT' })],
    ['a brand that is not exactly true', Object.assign(new Error('x'), { code: 'RES_ERR_TIMEOUT', [brand]: 'yes' })],
    ['a brand under a different symbol', Object.assign(new Error('x'), { code: 'RES_ERR_TIMEOUT', [Symbol('storefront.resilience.error')]: true })],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'RES_ERR_TIMEOUT'],
    ['a number', 42],
  ])('rejects %s', (_, value) => {
    expect(acceptedBy(value)).toEqual([])
    expect(instanceOfWhich(value)).toEqual([])
  })

  it('accepts errors from a second copy of the package, simulated by a branded plain Error', () => {
    const timeout = foreignError('RES_ERR_TIMEOUT', { timeoutMs: 100 })
    expect(timeout).toBeInstanceOf(TimeoutError)
    expect(timeout).toBeInstanceOf(ResilienceError)
    expect(acceptedBy(timeout)).toEqual(['isResilienceError', 'isTimeoutError'])
    // A TimeoutError check must not accept another kind of library error.
    const open = foreignError('RES_ERR_CIRCUIT_OPEN', { retryAfterMs: 5 })
    expect(open instanceof TimeoutError).toBe(false)
    expect(isTimeoutError(open)).toBe(false)
    expect(open).toBeInstanceOf(CircuitOpenError)
    expect(acceptedBy(open)).toEqual(['isResilienceError', 'isCircuitOpenError'])
    // Works for a plain object too (no Error prototype at all).
    const plain = { code: 'RES_ERR_BULKHEAD_REJECTED', [brand]: true }
    expect(instanceOfWhich(plain)).toEqual(['ResilienceError', 'BulkheadRejectedError'])
  })

  it('TimeoutError does not accept a real CircuitOpenError', () => {
    const open = new CircuitOpenError(10)
    expect(open instanceof TimeoutError).toBe(false)
    expect(isTimeoutError(open)).toBe(false)
  })

  it('accepts errors from a second copy of the package, loaded as a fresh module instance', async () => {
    vi.resetModules()
    const copy = await import('./index.js')
    expect(copy.TimeoutError).not.toBe(TimeoutError)

    const theirs = new copy.TimeoutError(100)
    expect(theirs).toBeInstanceOf(TimeoutError)
    expect(theirs).toBeInstanceOf(ResilienceError)
    expect(isTimeoutError(theirs)).toBe(true)
    expect(theirs instanceof CircuitOpenError).toBe(false)
    expect(new TimeoutError(5)).toBeInstanceOf(copy.TimeoutError)
    expect(copy.isCircuitOpenError(new CircuitOpenError(1))).toBe(true)
    expect(new CircuitOpenError(1) instanceof copy.TimeoutError).toBe(false)
    expect(instanceOfWhich(new copy.TooManyRetriesError(2, [1, 2]))).toEqual(['ResilienceError', 'TooManyRetriesError'])
  })
})

describe('errors of the fast path', () => {
  it('capture no stack trace for an open circuit, a full bulkhead, a reached limit or a local throttle, and leave the limit as it was', () => {
    const limit = Error.stackTraceLimit
    const open = new CircuitOpenError(100, 'products')
    const full = new BulkheadRejectedError(1, 0)
    const reached = new LimitExceededError(4)
    const throttled = new ThrottledError(0.9)
    for (const error of [open, full, reached, throttled]) {
      expect(error.stack?.split('\n')).toHaveLength(1)
      expect(error.stack).toMatch(/^(CircuitOpenError|BulkheadRejectedError|LimitExceededError|ThrottledError): /)
    }
    expect(Error.stackTraceLimit).toBe(limit)
    // Other errors keep theirs.
    expect(new TimeoutError(5).stack?.split('\n').length).toBeGreaterThan(1)
  })
})
