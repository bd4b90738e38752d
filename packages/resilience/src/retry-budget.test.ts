import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { TooManyRetriesError } from './errors/too-many-retries-error.js'
import { RetryBudget } from './retry-budget.js'
import { retry } from './retry.js'
import { AttemptError, recorder, track } from './test-support/retry-helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** Takes retries until the budget refuses; returns how many it gave. */
function drain(budget: RetryBudget): number {
  let granted = 0
  while (budget.tryAcquireRetry()) {
    granted++
    if (granted > 10_000) {
      throw new Error('budget never refused')
    }
  }
  return granted
}

function record(budget: RetryBudget, requests: number): void {
  for (let i = 0; i < requests; i++) {
    budget.recordRequest()
  }
}

describe('RetryBudget', () => {
  it('defaults to ratio 0.2, minPerSecond 10 and a 10 s window', () => {
    const budget = new RetryBudget()
    expect(budget.ratio).toBe(0.2)
    expect(budget.minPerSecond).toBe(10)
    expect(budget.windowMs).toBe(10_000)
    // The floor alone: 10 per second over 10 s.
    expect(budget.stats).toEqual({ requests: 0, retries: 0, available: 100 })
    expect(drain(budget)).toBe(100)
  })

  it.each([
    ['ratio -0.1', { ratio: -0.1 }],
    ['ratio NaN', { ratio: Number.NaN }],
    ['minPerSecond -1', { minPerSecond: -1 }],
    ['windowMs 0', { windowMs: 0 }],
    ['windowMs -5', { windowMs: -5 }],
  ])('refuses %s with RangeError', (_label, options) => {
    expect(() => new RetryBudget(options)).toThrow(RangeError)
  })

  it('allows no retry at all with ratio 0, minPerSecond 0', () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0 })
    record(budget, 1_000)
    expect(budget.tryAcquireRetry()).toBe(false)
    expect(budget.stats).toEqual({ requests: 1_000, retries: 0, available: 0 })
  })

  it('allows retries up to ratio x requests: 5 requests at 0.2 give exactly 1 retry, 10 give 2', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0 })
    expect(budget.tryAcquireRetry()).toBe(false)
    record(budget, 4)
    expect(budget.tryAcquireRetry()).toBe(false)
    record(budget, 1)
    expect(budget.stats.available).toBe(1)
    expect(budget.tryAcquireRetry()).toBe(true)
    expect(budget.tryAcquireRetry()).toBe(false)
    record(budget, 5)
    expect(budget.tryAcquireRetry()).toBe(true)
    expect(budget.tryAcquireRetry()).toBe(false)
    expect(budget.stats).toEqual({ requests: 10, retries: 2, available: 0 })
  })

  it('allows exactly 1 retry for 10 requests at ratio 0.1 (no float rounding loss)', () => {
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0 })
    record(budget, 10)
    expect(drain(budget)).toBe(1)
  })

  it('allows exactly floor(requests x percent / 100) retries for any whole-percent ratio (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 300 }), (percent, requests) => {
        const budget = new RetryBudget({ ratio: percent / 100, minPerSecond: 0, windowMs: 1_000 })
        record(budget, requests)
        expect(drain(budget)).toBe(Math.floor((requests * percent) / 100))
      }),
      { numRuns: 100 },
    )
  })

  it('adds minPerSecond x window seconds on top of the ratio', () => {
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 2, windowMs: 5_000 })
    // 2/s over 5 s = 10, plus 0.5 x 4 requests = 2.
    record(budget, 4)
    expect(budget.stats.available).toBe(12)
    expect(drain(budget)).toBe(12)
    expect(budget.stats).toEqual({ requests: 4, retries: 12, available: 0 })
  })

  it('frees spent retries when the window rolls over: an event leaves windowMs after the start of its tenth of the window', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 1_000 })
    await vi.advanceTimersByTimeAsync(50)
    expect(budget.tryAcquireRetry()).toBe(true)
    expect(budget.tryAcquireRetry()).toBe(false)
    await vi.advanceTimersByTimeAsync(949)
    // t = 999: the retry taken at t = 50 (bucket [0, 100)) is still counted.
    expect(budget.stats.retries).toBe(1)
    expect(budget.tryAcquireRetry()).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    // t = 1000: its bucket has left the window.
    expect(budget.stats).toEqual({ requests: 0, retries: 0, available: 1 })
    expect(budget.tryAcquireRetry()).toBe(true)
    expect(budget.tryAcquireRetry()).toBe(false)
  })

  it('forgets old requests too: a budget earned by past traffic shrinks when that traffic leaves the window', async () => {
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, windowMs: 1_000 })
    record(budget, 4)
    await vi.advanceTimersByTimeAsync(500)
    record(budget, 2)
    expect(budget.stats).toEqual({ requests: 6, retries: 0, available: 3 })
    await vi.advanceTimersByTimeAsync(500)
    // The four requests of t = 0 are gone; the two of t = 500 remain.
    expect(budget.stats).toEqual({ requests: 2, retries: 0, available: 1 })
    expect(drain(budget)).toBe(1)
    await vi.advanceTimersByTimeAsync(500)
    // t = 1500: no request left to pay for retries; the one taken at t = 1000 is still counted.
    expect(budget.stats).toEqual({ requests: 0, retries: 1, available: 0 })
    expect(budget.tryAcquireRetry()).toBe(false)
  })

  describe('with retry', () => {
    it('budget exhausted mid-outage: retries stop with reason "budget" and calls stay near the request count (without a budget: requests x maxAttempts)', async () => {
      const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0 })
      const { calls, fn } = recorder((_context, index) => Promise.reject(new AttemptError(index)))
      // Ten concurrent requests hit a downstream that is down.
      const results = Array.from({ length: 10 }, () => track(retry(fn, { maxAttempts: 3, intervalMs: 100, budget })))
      await vi.runAllTimersAsync()

      // 10 requests at ratio 0.2 pay for exactly 2 retries: 12 calls instead of 30.
      expect(calls).toHaveLength(12)
      expect(budget.stats).toEqual({ requests: 10, retries: 2, available: 0 })
      const errors = results.map((r) => r.reason as TooManyRetriesError)
      for (const error of errors) {
        expect(error).toBeInstanceOf(TooManyRetriesError)
        expect(error.reason).toBe('budget')
      }
      expect(errors.map((e) => e.attempts).sort()).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2])
      // The retries ran after the 100 ms pause; every refusal came without one.
      expect(calls.filter((c) => c.at === 100)).toHaveLength(2)
      expect(results.filter((r) => r.at === 0)).toHaveLength(8)
    })

    it('lets retries through again once the outage traffic has left the window', async () => {
      const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 1_000 })
      const failing = () => Promise.reject(new Error('down'))
      const first = track(retry(failing, { maxAttempts: 3, budget }))
      await vi.runAllTimersAsync()
      expect((first.reason as TooManyRetriesError).attempts).toBe(2)
      const second = track(retry(failing, { maxAttempts: 3, budget }))
      await vi.runAllTimersAsync()
      expect((second.reason as TooManyRetriesError).attempts).toBe(1)
      await vi.advanceTimersByTimeAsync(1_000)
      const third = track(retry(failing, { maxAttempts: 3, budget }))
      await vi.runAllTimersAsync()
      expect((third.reason as TooManyRetriesError).attempts).toBe(2)
      expect((third.reason as TooManyRetriesError).reason).toBe('budget')
    })

    it('counts one request per retry call, not per attempt', async () => {
      const budget = new RetryBudget({ ratio: 0, minPerSecond: 10 })
      const { fn } = recorder((_context, index) =>
        index < 2 ? Promise.reject(new AttemptError(index)) : Promise.resolve('ok'),
      )
      await expect(retry(fn, { maxAttempts: 3, budget })).resolves.toBe('ok')
      expect(budget.stats.requests).toBe(1)
      expect(budget.stats.retries).toBe(2)
    })
  })
})
