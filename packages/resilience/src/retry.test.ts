import { AsyncLocalStorage } from 'node:async_hooks'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Deadline } from './deadline.js'
import { CircuitOpenError } from './errors/circuit-open-error.js'
import { ResilienceError } from './errors/resilience-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import { TooManyRetriesError, isTooManyRetriesError } from './errors/too-many-retries-error.js'
import type { PolicyEvent } from './policy-events.js'
import { RetryBudget } from './retry-budget.js'
import { type RetryEvent, RetryPolicy, retry, retryPolicy } from './retry.js'
import {
  AttemptError,
  abortableResolveAfter,
  never,
  recorder,
  rejectAfter,
  resolveAfter,
  track,
} from './test-support/retry-helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** An operation whose call `i` (0-based) fails at once with `AttemptError(i)`, until `succeedAt`. */
function failing(succeedAt = Infinity) {
  return recorder((_context, index) => {
    if (index >= succeedAt) {
      return Promise.resolve(`ok on attempt ${index + 1}`)
    }
    return Promise.reject(new AttemptError(index))
  })
}

describe('retry: attempts and results', () => {
  it('returns the first success without pausing or retrying', async () => {
    const onRetry = vi.fn()
    const { calls, fn } = recorder(() => resolveAfter(10, 'value'))
    const result = track(retry(fn, { maxAttempts: 3, intervalMs: 100, onRetry }))
    await vi.advanceTimersByTimeAsync(10)
    expect(result.value).toBe('value')
    expect(result.at).toBe(10)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.attempt).toBe(1)
    expect(onRetry).not.toHaveBeenCalled()
  })

  it('retries until a success, numbering attempts 1, 2, 3 and pausing intervalMs between them', async () => {
    const { calls, fn } = failing(2)
    const result = track(retry(fn, { maxAttempts: 5, intervalMs: 100 }))
    await vi.runAllTimersAsync()
    expect(result.value).toBe('ok on attempt 3')
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3])
    expect(calls.map((c) => c.at)).toEqual([0, 100, 200])
    expect(result.at).toBe(200)
  })

  it.each([1, 2, 5])(
    'maxAttempts: %i makes exactly that many calls, first included (cockatiel\'s maxAttempts counts retries: n + 1 calls)',
    async (n) => {
      const { calls, fn } = failing()
      const result = track(retry(fn, { maxAttempts: n, intervalMs: 10 }))
      await vi.runAllTimersAsync()
      expect(calls).toHaveLength(n)
      expect(result.state).toBe('rejected')
      expect((result.reason as TooManyRetriesError).attempts).toBe(n)
      // Nothing is left to run later.
      expect(vi.getTimerCount()).toBe(0)
    },
  )

  it('defaults to 3 attempts and no pause', async () => {
    const { calls, fn } = failing()
    const result = track(retry(fn))
    await vi.advanceTimersByTimeAsync(0)
    expect(calls.map((c) => c.at)).toEqual([0, 0, 0])
    expect((result.reason as TooManyRetriesError).attempts).toBe(3)
  })

  it('throws TooManyRetriesError carrying attempts, every error in order, the last as cause, reason "attempts"', async () => {
    const { fn } = failing()
    const result = track(retry(fn, { maxAttempts: 3 }))
    await vi.runAllTimersAsync()
    const error = result.reason as TooManyRetriesError
    expect(error).toBeInstanceOf(TooManyRetriesError)
    expect(error).toBeInstanceOf(ResilienceError)
    expect(isTooManyRetriesError(error)).toBe(true)
    expect(error.code).toBe('RES_ERR_TOO_MANY_RETRIES')
    expect(error.attempts).toBe(3)
    expect(error.reason).toBe('attempts')
    expect(error.errors.map((e) => (e as AttemptError).index)).toEqual([0, 1, 2])
    expect(error.cause).toBe(error.errors[2])
    expect(error.message).toBe('All 3 attempts failed')
  })

  it('retries a synchronous throw like a rejection', async () => {
    let count = 0
    const result = track(
      retry(
        () => {
          count++
          if (count < 3) {
            throw new AttemptError(count)
          }
          return 'sync ok'
        },
        { maxAttempts: 3 },
      ),
    )
    await vi.runAllTimersAsync()
    expect(result.value).toBe('sync ok')
    expect(count).toBe(3)
  })

  it.each([
    ['maxAttempts: 0', { maxAttempts: 0 }],
    ['maxAttempts: 1.5', { maxAttempts: 1.5 }],
    ['maxAttempts: NaN', { maxAttempts: Number.NaN }],
    ['intervalMs: -1', { intervalMs: -1 }],
    ['timeoutMs: 0', { timeoutMs: 0 }],
  ])('refuses %s with a synchronous RangeError, without calling fn', (_label, options) => {
    const fn = vi.fn()
    expect(() => retry(fn, options)).toThrow(RangeError)
    expect(() => retryPolicy(options)).toThrow(RangeError)
    expect(fn).not.toHaveBeenCalled()
  })
})

describe('retry: retryIf', () => {
  it('rethrows an error retryIf refuses at once, untouched (the same object, not wrapped)', async () => {
    const fatal = new Error('400 Bad Request')
    const retryIf = vi.fn(() => false)
    const onRetry = vi.fn()
    const { calls, fn } = recorder(() => Promise.reject(fatal))
    const result = track(retry(fn, { maxAttempts: 5, intervalMs: 100, retryIf, onRetry }))
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state).toBe('rejected')
    expect(result.reason).toBe(fatal)
    expect(result.at).toBe(0)
    expect(calls).toHaveLength(1)
    expect(retryIf).toHaveBeenCalledTimes(1)
    expect(retryIf).toHaveBeenCalledWith(fatal, 1)
    expect(onRetry).not.toHaveBeenCalled()
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
  })

  it('asks retryIf with each attempt number and stops at the first refusal, rethrowing that attempt\'s error', async () => {
    const { calls, fn } = failing()
    const retryIf = vi.fn((_error: unknown, attempt: number) => attempt < 3)
    const result = track(retry(fn, { maxAttempts: 10, intervalMs: 5, retryIf }))
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(3)
    expect(retryIf.mock.calls.map(([error, attempt]) => [(error as AttemptError).index, attempt])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ])
    expect(result.reason).toBeInstanceOf(AttemptError)
    expect((result.reason as AttemptError).index).toBe(2)
  })

  it('by default does not retry a CircuitOpenError: it is rethrown after one call', async () => {
    const refusal = new CircuitOpenError(5_000, 'products')
    const { calls, fn } = recorder(() => Promise.reject(refusal))
    const result = track(retry(fn, { maxAttempts: 3, intervalMs: 10 }))
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
    expect(result.reason).toBe(refusal)
  })
})

describe('retry: backoff', () => {
  it('pauses a constant intervalMs between attempts', async () => {
    const { calls, fn } = failing()
    const result = track(retry(fn, { maxAttempts: 4, intervalMs: 250, backoff: 'constant' }))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.at)).toEqual([0, 250, 500, 750])
    expect(result.at).toBe(750)
  })

  it('pauses a full-jitter draw from [0, min(maxIntervalMs, intervalMs * 2^(n-1))) with the injected random', async () => {
    const draws = [0.5, 0.5, 0.5, 0.999]
    const random = vi.fn(() => draws.shift()!)
    const events: RetryEvent[] = []
    const { calls, fn } = failing()
    const result = track(
      retry(fn, {
        maxAttempts: 5,
        intervalMs: 100,
        backoff: 'exponential',
        maxIntervalMs: 300,
        random,
        onRetry: (event) => events.push(event),
      }),
    )
    await vi.runAllTimersAsync()
    // Ceilings 100, 200, 300 (capped from 400), 300 (capped from 800).
    expect(events.map((e) => e.delayMs)).toEqual([50, 100, 150, 299])
    expect(calls.map((c) => c.at)).toEqual([0, 50, 150, 300, 599])
    expect(random).toHaveBeenCalledTimes(4)
    expect((result.reason as TooManyRetriesError).attempts).toBe(5)
  })

  it('draws nothing when the last attempt fails: no pause is computed after it', async () => {
    const random = vi.fn(() => 0.5)
    const { fn } = failing()
    const result = track(retry(fn, { maxAttempts: 2, intervalMs: 100, backoff: 'exponential', random }))
    await vi.runAllTimersAsync()
    expect(result.state).toBe('rejected')
    expect(random).toHaveBeenCalledTimes(1)
  })
})

describe('retry: onRetry', () => {
  it('hears each failed attempt with its error and the coming pause, before the pause, and not for the last one', async () => {
    const heard: { event: RetryEvent; at: number }[] = []
    const { fn } = recorder((_context, index) => rejectAfter(10, new AttemptError(index)))
    const result = track(
      retry(fn, { maxAttempts: 3, intervalMs: 100, onRetry: (event) => heard.push({ event, at: performance.now() }) }),
    )
    await vi.runAllTimersAsync()
    const errors = (result.reason as TooManyRetriesError).errors
    expect(heard).toEqual([
      { event: { attempt: 1, error: errors[0], delayMs: 100 }, at: 10 },
      { event: { attempt: 2, error: errors[1], delayMs: 100 }, at: 120 },
    ])
    expect(result.at).toBe(230)
  })
})

describe('retry: Retry-After', () => {
  /** An error as an HTTP client would make it from a 503 with a Retry-After header. */
  function unavailable(retryAfterMs: unknown): Error {
    return Object.assign(new Error('503'), { retryAfterMs })
  }

  it('lengthens the pause to an error\'s retryAfterMs when that is longer than the backoff', async () => {
    const events: RetryEvent[] = []
    const { calls, fn } = recorder((_context, index) =>
      index === 0 ? Promise.reject(unavailable(500)) : Promise.resolve('ok'),
    )
    const result = track(retry(fn, { maxAttempts: 3, intervalMs: 100, onRetry: (e) => events.push(e) }))
    await vi.advanceTimersByTimeAsync(499)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls.map((c) => c.at)).toEqual([0, 500])
    expect(result.value).toBe('ok')
    expect(events[0]!.delayMs).toBe(500)
  })

  it.each([
    ['shorter than the backoff', 40],
    ['not a number', '500'],
    ['not finite', Number.POSITIVE_INFINITY],
    ['NaN', Number.NaN],
    ['negative', -1],
  ])('keeps the backoff pause when retryAfterMs is %s', async (_label, retryAfterMs) => {
    const { calls, fn } = recorder((_context, index) =>
      index === 0 ? Promise.reject(unavailable(retryAfterMs)) : Promise.resolve('ok'),
    )
    const result = track(retry(fn, { maxAttempts: 2, intervalMs: 100 }))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.at)).toEqual([0, 100])
    expect(result.value).toBe('ok')
  })

  it('waits a Retry-After longer than setTimeout\'s 2^31-1 ms limit in full instead of retrying after 1 ms', async () => {
    const long = 2 ** 31 + 1_000
    const { calls, fn } = recorder((_context, index) =>
      index === 0 ? Promise.reject(unavailable(long)) : Promise.resolve('ok'),
    )
    const result = track(retry(fn, { maxAttempts: 2 }))
    await vi.advanceTimersByTimeAsync(10)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(long - 11)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls.map((c) => c.at)).toEqual([0, long])
    expect(result.value).toBe('ok')
  })

  it('gives up with reason "deadline" when the Retry-After would end past the deadline, without waiting', async () => {
    const deadline = Deadline.after(1_000)
    const { calls, fn } = recorder(() => Promise.reject(unavailable(5_000)))
    const result = track(retry(fn, { maxAttempts: 3, deadline }))
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toHaveLength(1)
    expect(result.at).toBe(0)
    expect((result.reason as TooManyRetriesError).reason).toBe('deadline')
  })
})

describe('retry: per-attempt timeoutMs', () => {
  it('times out each hanging attempt at timeoutMs, aborting that attempt\'s signal only, and retries with a fresh signal', async () => {
    const { calls, fn } = recorder(() => never())
    const result = track(retry(fn, { maxAttempts: 3, timeoutMs: 100, intervalMs: 50 }))

    await vi.advanceTimersByTimeAsync(100)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[0]!.signal.reason).toBeInstanceOf(TimeoutError)
    await vi.advanceTimersByTimeAsync(50)
    expect(calls).toHaveLength(2)
    expect(calls[1]!.signal).not.toBe(calls[0]!.signal)
    expect(calls[1]!.signal.aborted).toBe(false)

    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.at)).toEqual([0, 150, 300])
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3])
    const error = result.reason as TooManyRetriesError
    expect(result.at).toBe(400)
    expect(error.attempts).toBe(3)
    expect(error.errors).toHaveLength(3)
    for (const [index, attemptError] of error.errors.entries()) {
      expect(attemptError).toBeInstanceOf(TimeoutError)
      expect((attemptError as TimeoutError).timeoutMs).toBe(100)
      expect(calls[index]!.signal.reason).toBe(attemptError)
    }
  })

  it('returns an attempt that beats its timeout', async () => {
    const { calls, fn } = recorder((context, index) =>
      index === 0 ? never() : abortableResolveAfter(30, 'second', context.signal),
    )
    const result = track(retry(fn, { maxAttempts: 3, timeoutMs: 100 }))
    await vi.runAllTimersAsync()
    expect(result.value).toBe('second')
    expect(result.at).toBe(130)
    expect(calls).toHaveLength(2)
    expect(calls[1]!.signal.aborted).toBe(false)
  })
})

describe('retry: caller abort', () => {
  it('rejects with the reason of a signal aborted before the call, never calling fn', async () => {
    const controller = new AbortController()
    const reason = new Error('gone')
    controller.abort(reason)
    const fn = vi.fn()
    await expect(retry(fn, { signal: controller.signal })).rejects.toBe(reason)
    expect(fn).not.toHaveBeenCalled()
  })

  it('rejects with the caller\'s reason (not the attempt\'s error) when aborted mid-attempt, starting no further attempt', async () => {
    const controller = new AbortController()
    const reason = new Error('gone')
    const { calls, fn } = recorder((context) => abortableResolveAfter(100, 'late', context.signal))
    const result = track(retry(fn, { maxAttempts: 3, signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(40)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(40)
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[0]!.signal.reason).toBe(reason)
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
  })

  it('rejects at once when aborted mid-attempt even if fn ignores its signal', async () => {
    const controller = new AbortController()
    const reason = new Error('gone')
    const { calls, fn } = recorder(() => never())
    const result = track(retry(fn, { maxAttempts: 3, signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(40)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state).toBe('rejected')
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(40)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.signal.aborted).toBe(true)
  })

  it('rejects at once when aborted mid-attempt under a per-attempt timeout, even if fn ignores its signal', async () => {
    const controller = new AbortController()
    const reason = new Error('gone')
    const { calls, fn } = recorder(() => never())
    const result = track(retry(fn, { maxAttempts: 3, timeoutMs: 1_000, signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(40)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(40)
    expect(calls[0]!.signal.reason).toBe(reason)
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
  })

  it('abort during the retry pause ends the wait at once and starts no further attempt (cockatiel waits it out, then calls once more)', async () => {
    const controller = new AbortController()
    const reason = new Error('user navigated away')
    const onRetry = vi.fn()
    const { calls, fn } = failing()
    const result = track(retry(fn, { maxAttempts: 5, intervalMs: 1_000, signal: controller.signal, onRetry }))
    await vi.advanceTimersByTimeAsync(300)
    expect(calls).toHaveLength(1)
    expect(onRetry).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(1)

    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state).toBe('rejected')
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(300)
    // The pause's timer is gone, and no attempt ever follows.
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls).toHaveLength(1)
    expect(onRetry).toHaveBeenCalledTimes(1)
  })

  it('stops listening to the caller\'s signal once it has succeeded', async () => {
    const controller = new AbortController()
    const signal = controller.signal
    const add = vi.spyOn(signal, 'addEventListener')
    const remove = vi.spyOn(signal, 'removeEventListener')
    const { fn } = failing(2)
    const result = track(retry(fn, { maxAttempts: 3, intervalMs: 10, signal }))
    await vi.runAllTimersAsync()
    expect(result.state).toBe('fulfilled')
    expect(add).toHaveBeenCalled()
    expect(remove).toHaveBeenCalledTimes(add.mock.calls.length)
  })
})

describe('retry: deadline', () => {
  it('never sleeps past the deadline: gives up with reason "deadline" when the next pause would end past it', async () => {
    const deadline = Deadline.after(250)
    const { calls, fn } = failing()
    const result = track(retry(fn, { maxAttempts: 10, intervalMs: 100, deadline }))
    await vi.runAllTimersAsync()
    // Attempts at 0, 100 and 200; after the third fails, a 100 ms pause would end at 300 > 250.
    expect(calls.map((c) => c.at)).toEqual([0, 100, 200])
    const error = result.reason as TooManyRetriesError
    expect(result.at).toBe(200)
    expect(error).toBeInstanceOf(TooManyRetriesError)
    expect(error.reason).toBe('deadline')
    expect(error.attempts).toBe(3)
    expect(error.errors.map((e) => (e as AttemptError).index)).toEqual([0, 1, 2])
    expect(error.cause).toBe(error.errors[2])
    expect(error.message).toBe('Deadline leaves no time to retry after 3 attempts')
  })

  it('gives up when a pause would end exactly at the deadline, since no attempt may start then', async () => {
    const deadline = Deadline.after(200)
    const { calls, fn } = failing()
    const result = track(retry(fn, { maxAttempts: 10, intervalMs: 100, deadline }))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.at)).toEqual([0, 100])
    expect((result.reason as TooManyRetriesError).reason).toBe('deadline')
    expect(result.at).toBe(100)
  })

  it('bounds each attempt by what is left of the deadline and aborts the cut-short attempt with TimeoutError', async () => {
    const deadline = Deadline.after(150)
    const { calls, fn } = recorder(() => never())
    const result = track(retry(fn, { maxAttempts: 5, timeoutMs: 100, deadline }))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.at)).toEqual([0, 100])
    const error = result.reason as TooManyRetriesError
    expect(result.at).toBe(150)
    expect(error.reason).toBe('deadline')
    expect(error.attempts).toBe(2)
    // The first attempt hit its own limit; the second was cut short by the deadline's.
    expect((error.errors[0] as TimeoutError).timeoutMs).toBe(100)
    expect((error.errors[1] as TimeoutError).timeoutMs).toBe(150)
    expect(calls[1]!.signal.reason).toBe(error.errors[1])
  })

  it('bounds an attempt by the deadline even without timeoutMs', async () => {
    const deadline = Deadline.after(300)
    const { calls, fn } = recorder(() => never())
    const result = track(retry(fn, { maxAttempts: 3, deadline }))
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
    expect(result.at).toBe(300)
    expect((result.reason as TooManyRetriesError).reason).toBe('deadline')
    expect(calls[0]!.signal.reason).toBeInstanceOf(TimeoutError)
  })

  it('never starts an attempt once the deadline has passed', async () => {
    const deadline = Deadline.after(0)
    const fn = vi.fn()
    const result = track(retry(fn, { maxAttempts: 3, deadline }))
    await vi.runAllTimersAsync()
    expect(fn).not.toHaveBeenCalled()
    expect(result.reason).toBeInstanceOf(TooManyRetriesError)
    expect((result.reason as TooManyRetriesError).reason).toBe('deadline')
  })

  it('shows the deadline to fn in its context', async () => {
    const deadline = Deadline.after(1_000)
    const { calls, fn } = failing(1)
    await expect(retry(fn, { deadline })).resolves.toBe('ok on attempt 2')
    expect(calls.map((c) => c.context.deadline)).toEqual([deadline, deadline])
  })
})

describe('retry: budget', () => {
  it('gives up with reason "budget" when the budget refuses a retry, without pausing or calling onRetry', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0 })
    const onRetry = vi.fn()
    const { calls, fn } = failing()
    const result = track(retry(fn, { maxAttempts: 3, intervalMs: 100, budget, onRetry }))
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
    expect(result.at).toBe(0)
    const error = result.reason as TooManyRetriesError
    expect(error.reason).toBe('budget')
    expect(error.attempts).toBe(1)
    expect(error.errors).toHaveLength(1)
    expect(error.message).toBe('Retry budget exhausted after 1 attempt')
    expect(onRetry).not.toHaveBeenCalled()
    expect(budget.stats).toEqual({ requests: 1, retries: 0, available: 0 })
  })

  it('records one request per call and one retry per pause it allows', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 2_000 })
    const { calls, fn } = failing()
    const result = track(retry(fn, { maxAttempts: 5, budget }))
    await vi.runAllTimersAsync()
    // minPerSecond 1 over a 2 s window allows exactly two retries.
    expect(calls).toHaveLength(3)
    expect((result.reason as TooManyRetriesError).reason).toBe('budget')
    expect(budget.stats).toEqual({ requests: 1, retries: 2, available: 0 })
  })

  it('does not spend budget on a retry the deadline forbids', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 1_000 })
    const { fn } = failing()
    const result = track(retry(fn, { maxAttempts: 5, intervalMs: 500, budget, deadline: Deadline.after(100) }))
    await vi.runAllTimersAsync()
    expect((result.reason as TooManyRetriesError).reason).toBe('deadline')
    expect(budget.stats.retries).toBe(0)
  })
})

describe('retryPolicy', () => {
  it('builds a reusable RetryPolicy whose execute retries with the given options', async () => {
    const policy = retryPolicy({ maxAttempts: 2, intervalMs: 10 })
    expect(policy).toBeInstanceOf(RetryPolicy)
    const first = failing()
    const result = track(policy.execute(first.fn))
    await vi.runAllTimersAsync()
    expect(first.calls.map((c) => c.at)).toEqual([0, 10])
    expect((result.reason as TooManyRetriesError).attempts).toBe(2)
    const second = failing(1)
    const again = track(policy.execute(second.fn))
    await vi.runAllTimersAsync()
    expect(again.value).toBe('ok on attempt 2')
  })

  it('follows the signal passed to execute, ending a pause at once', async () => {
    const controller = new AbortController()
    const reason = new Error('stop')
    const { calls, fn } = failing()
    const result = track(retryPolicy({ maxAttempts: 3, intervalMs: 100 }).execute(fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(50)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(50)
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
  })
})

describe('retry: events', () => {
  /** A listener that records what it hears, with the fake time it heard it at. */
  function listening(): { readonly heard: (PolicyEvent & { at: number })[]; readonly listener: (event: PolicyEvent) => void } {
    const heard: (PolicyEvent & { at: number })[] = []
    return { heard, listener: (event) => heard.push({ ...event, at: performance.now() }) }
  }

  it('reports each attempt, its end and each retry, the successful attempt 3 winning', async () => {
    const { heard, listener } = listening()
    const errors = [new AttemptError(0), new AttemptError(1)]
    const { fn } = recorder((_context, index) => (index < 2 ? rejectAfter(10, errors[index]) : resolveAfter(10, 'third')))
    const result = track(retry(fn, { maxAttempts: 5, intervalMs: 100, listener }))
    await vi.runAllTimersAsync()
    expect(result.value).toBe('third')
    expect(heard).toEqual([
      { type: 'attempt', policy: 'retry', attempt: 1, at: 0 },
      { type: 'attempt-end', policy: 'retry', attempt: 1, outcome: 'failed', won: false, durationMs: 10, error: errors[0], at: 10 },
      { type: 'retry', policy: 'retry', attempt: 1, delayMs: 100, error: errors[0], at: 10 },
      { type: 'attempt', policy: 'retry', attempt: 2, at: 110 },
      { type: 'attempt-end', policy: 'retry', attempt: 2, outcome: 'failed', won: false, durationMs: 10, error: errors[1], at: 120 },
      { type: 'retry', policy: 'retry', attempt: 2, delayMs: 100, error: errors[1], at: 120 },
      { type: 'attempt', policy: 'retry', attempt: 3, at: 220 },
      { type: 'attempt-end', policy: 'retry', attempt: 3, outcome: 'ok', won: true, durationMs: 10, at: 230 },
    ])
  })

  it('reports the last failed attempt as the winner when the attempts run out, onRetry still called', async () => {
    const { heard, listener } = listening()
    const onRetry = vi.fn()
    const { fn } = failing()
    const result = track(retry(fn, { maxAttempts: 2, intervalMs: 50, listener, onRetry }))
    await vi.runAllTimersAsync()
    expect((result.reason as TooManyRetriesError).reason).toBe('attempts')
    expect(onRetry).toHaveBeenCalledTimes(1)
    expect(heard).toEqual([
      { type: 'attempt', policy: 'retry', attempt: 1, at: 0 },
      { type: 'attempt-end', policy: 'retry', attempt: 1, outcome: 'failed', won: false, durationMs: 0, error: new AttemptError(0), at: 0 },
      { type: 'retry', policy: 'retry', attempt: 1, delayMs: 50, error: new AttemptError(0), at: 0 },
      { type: 'attempt', policy: 'retry', attempt: 2, at: 50 },
      { type: 'attempt-end', policy: 'retry', attempt: 2, outcome: 'failed', won: true, durationMs: 0, error: new AttemptError(1), at: 50 },
    ])
  })

  it('reports a rejection with the TooManyRetriesError the caller gets when the budget refuses a retry', async () => {
    const { heard, listener } = listening()
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0 })
    const { fn } = failing()
    const result = track(retry(fn, { maxAttempts: 3, intervalMs: 100, budget, listener }))
    await vi.runAllTimersAsync()
    const error = result.reason as TooManyRetriesError
    expect(error.reason).toBe('budget')
    expect(heard).toEqual([
      { type: 'attempt', policy: 'retry', attempt: 1, at: 0 },
      { type: 'attempt-end', policy: 'retry', attempt: 1, outcome: 'failed', won: true, durationMs: 0, error: new AttemptError(0), at: 0 },
      { type: 'rejection', policy: 'retry', error, at: 0 },
    ])
    expect((heard[2] as { error: unknown }).error).toBe(error)
  })

  it('reports an attempt the caller\'s abort ended as cancelled, and nothing after it', async () => {
    const { heard, listener } = listening()
    const controller = new AbortController()
    const { fn } = recorder((context) => abortableResolveAfter(100, 'late', context.signal))
    const result = track(retry(fn, { maxAttempts: 3, listener, signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(30)
    controller.abort(new Error('caller gone'))
    await vi.runAllTimersAsync()
    expect(result.reason).toEqual(new Error('caller gone'))
    expect(heard).toEqual([
      { type: 'attempt', policy: 'retry', attempt: 1, at: 0 },
      { type: 'attempt-end', policy: 'retry', attempt: 1, outcome: 'cancelled', won: false, durationMs: 30, at: 30 },
    ])
  })

  it('emits inside the call, so a listener sees the call\'s AsyncLocalStorage context', async () => {
    const als = new AsyncLocalStorage<string>()
    const seen: [string, string | undefined][] = []
    const policy = retryPolicy({ maxAttempts: 2, intervalMs: 100, timeoutMs: 50 })
    policy.listen((event) => seen.push([event.type, als.getStore()]))
    const { fn } = recorder((_context, index) => (index === 0 ? never() : resolveAfter(10, 'ok')))
    const result = track(als.run('request 7', () => policy.execute(fn)))
    await vi.runAllTimersAsync()
    expect(result.value).toBe('ok')
    expect(seen).toEqual([
      ['attempt', 'request 7'],
      ['attempt-end', 'request 7'],
      ['retry', 'request 7'],
      ['attempt', 'request 7'],
      ['attempt-end', 'request 7'],
    ])
  })

  it('keeps the call going when a listener throws, and rethrows the listener\'s error later', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown): void => {
      uncaught.push(error)
    }
    process.on('uncaughtException', onUncaught)
    const { heard, listener } = listening()
    const policy = new RetryPolicy({
      maxAttempts: 3,
      listener: () => {
        throw new Error('listener bug')
      },
    })
    policy.listen(listener)
    const { calls, fn } = failing(1)
    const result = track(policy.execute(fn))
    await vi.runAllTimersAsync()
    expect(result.value).toBe('ok on attempt 2')
    expect(calls).toHaveLength(2)
    expect(heard.map((event) => event.type)).toEqual(['attempt', 'attempt-end', 'retry', 'attempt', 'attempt-end'])
    await vi.runAllTimersAsync()
    process.off('uncaughtException', onUncaught)
    expect(uncaught).toEqual(Array.from({ length: 5 }, () => new Error('listener bug')))
  })

  it('stops telling a listener once it unsubscribes', async () => {
    const { heard, listener } = listening()
    const policy = retryPolicy()
    const stop = policy.listen(listener)
    await policy.execute(() => 'first')
    stop()
    await policy.execute(() => 'second')
    expect(heard.map((event) => event.type)).toEqual(['attempt', 'attempt-end'])
  })
})
