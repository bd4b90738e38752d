import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Bulkhead } from './bulkhead.js'
import { CircuitBreaker } from './circuit-breaker.js'
import { CircuitOpenError } from './errors/circuit-open-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import { TooManyRetriesError } from './errors/too-many-retries-error.js'
import { Pipeline, pipeline } from './pipeline.js'
import { retry, retryPolicy } from './retry.js'
import { settle } from './settle.js'
import {
  AttemptError,
  abortableResolveAfter,
  never,
  recorder,
  resolveAfter,
  track,
} from './test-support/retry-helpers.js'
import type { ExecuteOptions, ExecutionContext, Operation, Policy } from './types.js'
import { timeoutPolicy, withTimeout } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/**
 * A policy from outside the library: nothing but `execute(fn, { signal })`. It logs around the call
 * and hands `fn` whatever `pass` builds from the signal it was given.
 */
function foreignPolicy(
  name: string,
  log: string[],
  pass: (signal: AbortSignal | undefined) => ExecutionContext | undefined = () => undefined,
): Policy & { readonly signals: (AbortSignal | undefined)[] } {
  const signals: (AbortSignal | undefined)[] = []
  return {
    signals,
    async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
      signals.push(options?.signal)
      log.push(`${name} enter`)
      try {
        // A foreign policy may call fn with no argument at all.
        const context = pass(options?.signal)
        return await (fn as (context?: ExecutionContext) => T | PromiseLike<T>)(context)
      } finally {
        log.push(`${name} exit`)
      }
    },
  }
}

describe('pipeline: composition', () => {
  it('with no policy runs fn directly, once, as attempt 1', async () => {
    const { calls, fn } = recorder(() => 'plain')
    const empty = pipeline()
    expect(empty).toBeInstanceOf(Pipeline)
    expect(empty.policies).toEqual([])
    await expect(empty.execute(fn)).resolves.toBe('plain')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.attempt).toBe(1)
  })

  it('runs policies outermost first and unwinds innermost first', async () => {
    const log: string[] = []
    const a = foreignPolicy('A', log)
    const b = foreignPolicy('B', log)
    const c = foreignPolicy('C', log)
    const composed = pipeline(a, b, c)
    expect(composed.policies).toEqual([a, b, c])
    const value = await composed.execute(() => {
      log.push('fn')
      return 'v'
    })
    expect(value).toBe('v')
    expect(log).toEqual(['A enter', 'B enter', 'C enter', 'fn', 'C exit', 'B exit', 'A exit'])
  })

  it('keeps its own copy of the policy list', () => {
    const policies: Policy[] = [timeoutPolicy(10)]
    const composed = new Pipeline(policies)
    policies.push(retryPolicy())
    expect(composed.policies).toHaveLength(1)
  })

  it('timeout outside retry bounds the whole thing: the pause is cut short and no attempt follows', async () => {
    const { calls, fn } = recorder((_context, index) =>
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new AttemptError(index)), 50)),
    )
    const composed = pipeline(timeoutPolicy(250), retryPolicy({ maxAttempts: 10, intervalMs: 100 }))
    const result = track(composed.execute(fn))
    await vi.advanceTimersByTimeAsync(250)
    // Attempts at 0 and 150 each fail after 50 ms; the pause from 200 to 300 is cut at 250.
    expect(result.state).toBe('rejected')
    expect(result.at).toBe(250)
    expect(result.reason).toBeInstanceOf(TimeoutError)
    expect((result.reason as TimeoutError).timeoutMs).toBe(250)
    expect(calls.map((c) => c.at)).toEqual([0, 150])
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(2)
  })

  it('timeout outside retry aborts the running attempt\'s signal with its TimeoutError', async () => {
    const { calls, fn } = recorder(() => never())
    const composed = pipeline(timeoutPolicy(100), retryPolicy({ maxAttempts: 3 }))
    const result = track(composed.execute(fn))
    await vi.advanceTimersByTimeAsync(100)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[0]!.signal.reason).toBe(result.reason)
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
  })

  it('retry outside timeout bounds each attempt and retries the timeouts', async () => {
    const { calls, fn } = recorder(() => never())
    const composed = pipeline(retryPolicy({ maxAttempts: 3 }), timeoutPolicy(100))
    const result = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.at)).toEqual([0, 100, 200])
    const error = result.reason as TooManyRetriesError
    expect(error).toBeInstanceOf(TooManyRetriesError)
    expect(result.at).toBe(300)
    expect(error.errors.every((e) => e instanceof TimeoutError)).toBe(true)
    expect(calls.map((c): unknown => c.signal.reason)).toEqual(error.errors)
  })

  it('retry outside breaker: once the breaker opens, its CircuitOpenError ends the retrying at once', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, windowMs: 10_000, resetIntervalMs: 10_000 })
    const { calls, fn } = recorder((_context, index) => Promise.reject(new AttemptError(index)))
    const composed = pipeline(retryPolicy({ maxAttempts: 5, intervalMs: 10 }), breaker)
    const result = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(2)
    expect(breaker.state).toBe('open')
    expect(result.reason).toBeInstanceOf(CircuitOpenError)
    expect(result.at).toBe(20)
    expect((result.reason as CircuitOpenError).retryAfterMs).toBe(9_990)
  })

  it('breaker outside retry counts one failure per pipeline call, not per attempt', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, windowMs: 10_000, resetIntervalMs: 10_000 })
    const { calls, fn } = recorder((_context, index) => Promise.reject(new AttemptError(index)))
    const composed = pipeline(breaker, retryPolicy({ maxAttempts: 3 }))
    const first = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(first.reason).toBeInstanceOf(TooManyRetriesError)
    expect(calls).toHaveLength(3)
    expect(breaker.state).toBe('closed')
    expect(breaker.stats.failures).toBe(1)
    const second = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(second.reason).toBeInstanceOf(TooManyRetriesError)
    expect(calls).toHaveLength(6)
    expect(breaker.state).toBe('open')
    const third = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(third.reason).toBeInstanceOf(CircuitOpenError)
    expect(calls).toHaveLength(6)
  })

  it('nested pipelines behave like the flat pipeline of their policies', async () => {
    const { calls, fn } = recorder(() => never())
    const composed = pipeline(pipeline(timeoutPolicy(250)), pipeline(retryPolicy({ maxAttempts: 5 }), pipeline(timeoutPolicy(100))))
    const result = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => [c.at, c.attempt])).toEqual([
      [0, 1],
      [100, 2],
      [200, 3],
    ])
    expect(result.at).toBe(250)
    expect((result.reason as TimeoutError).timeoutMs).toBe(250)
    expect(calls[2]!.signal.reason).toBe(result.reason)
    expect((calls[0]!.signal.reason as TimeoutError).timeoutMs).toBe(100)
  })
})

describe('pipeline: the context the innermost fn sees', () => {
  it('numbers attempts 1, 2, 3 through timeout, bulkhead and foreign layers inside a retry', async () => {
    const log: string[] = []
    const composed = pipeline(
      retryPolicy({ maxAttempts: 3 }),
      timeoutPolicy(50),
      foreignPolicy('bare', log),
      new Bulkhead({ maxConcurrent: 1 }),
      foreignPolicy('signal only', log, (signal) => (signal === undefined ? undefined : ({ signal } as ExecutionContext))),
    )
    const { calls, fn } = recorder((_context, index) => Promise.reject(new AttemptError(index)))
    const result = track(composed.execute(fn))
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3])
    expect((result.reason as TooManyRetriesError).attempts).toBe(3)
  })

  it('takes the signal and attempt of a context a foreign policy builds for fn', async () => {
    const own = new AbortController()
    const composed = pipeline(
      retryPolicy({ maxAttempts: 2 }),
      foreignPolicy('renumbering', [], () => ({ signal: own.signal, attempt: 42 })),
    )
    const { calls, fn } = recorder(() => 'ok')
    await composed.execute(fn)
    expect(calls[0]!.attempt).toBe(42)
    expect(calls[0]!.signal).toBe(own.signal)
  })

  it('hands a foreign policy the signal of the layer around it, which a timeout outside aborts', async () => {
    const log: string[] = []
    const foreign = foreignPolicy('foreign', log)
    const { calls, fn } = recorder(() => never())
    const result = track(pipeline(timeoutPolicy(100), foreign).execute(fn))
    await vi.advanceTimersByTimeAsync(100)
    const given = foreign.signals[0]!
    expect(given).toBeInstanceOf(AbortSignal)
    expect(given.aborted).toBe(true)
    expect(given.reason).toBe(result.reason)
    // fn, called by the foreign policy with no argument, still got the chain's signal.
    expect(calls[0]!.signal.reason).toBe(result.reason)
  })

  it('follows a foreign policy\'s own signal: when it aborts, the policies and fn inside stop', async () => {
    const controller = new AbortController()
    const reason = new Error('foreign policy gave up')
    const inner = recorder(() => never())
    const composed = pipeline(
      foreignPolicy('own signal', [], () => ({ signal: controller.signal, attempt: 1 })),
      retryPolicy({ maxAttempts: 3 }),
      timeoutPolicy(1_000),
    )
    const result = track(composed.execute(inner.fn))
    await vi.advanceTimersByTimeAsync(30)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(30)
    expect(inner.calls).toHaveLength(1)
    expect(inner.calls[0]!.signal.reason).toBe(reason)
    await vi.runAllTimersAsync()
    expect(inner.calls).toHaveLength(1)
  })
})

describe('pipeline: cancellation', () => {
  it('passes one signal chain: aborting the caller aborts the innermost fn\'s signal with the same reason, at once', async () => {
    const controller = new AbortController()
    const reason = new Error('client disconnected')
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const composed = pipeline(
      timeoutPolicy(1_000),
      retryPolicy({ maxAttempts: 3, intervalMs: 10 }),
      breaker,
      new Bulkhead({ maxConcurrent: 1 }),
      foreignPolicy('foreign', []),
    )
    const { calls, fn } = recorder(() => never())
    const result = track(composed.execute(fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(40)
    expect(calls[0]!.signal.aborted).toBe(false)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state).toBe('rejected')
    expect(result.reason).toBe(reason)
    expect(result.at).toBe(40)
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[0]!.signal.reason).toBe(reason)
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
    // A caller walking away is not the downstream's fault.
    expect(breaker.state).toBe('closed')
  })

  it('aborts the innermost fn\'s signal even through retry alone, whose attempt ignores it', async () => {
    const controller = new AbortController()
    const reason = new Error('stop')
    const { calls, fn } = recorder(() => never())
    const result = track(pipeline(retryPolicy({ maxAttempts: 3 })).execute(fn, { signal: controller.signal }))
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(calls[0]!.signal.reason).toBe(reason)
    expect(result.reason).toBe(reason)
  })

  it('never runs fn when the caller\'s signal is already aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('already gone')
    controller.abort(reason)
    const fn = vi.fn()
    const composed = pipeline(timeoutPolicy(100), retryPolicy({ maxAttempts: 3 }))
    await expect(composed.execute(fn, { signal: controller.signal })).rejects.toBe(reason)
    expect(fn).not.toHaveBeenCalled()
  })

  it('every call has its own signal, so one pipeline call\'s timeout never aborts another (opossum shares one AbortController per breaker)', async () => {
    const composed = pipeline(timeoutPolicy(100), retryPolicy({ maxAttempts: 1 }), new CircuitBreaker())
    const { calls, fn } = recorder((context, index) =>
      index === 0 ? never<string>() : abortableResolveAfter(50, 'second', context.signal),
    )
    const first = track(composed.execute(fn))
    await vi.advanceTimersByTimeAsync(60)
    const second = track(composed.execute(fn))
    await vi.advanceTimersByTimeAsync(40)
    // t = 100: the first call timed out while the second is still running.
    expect(first.state).toBe('rejected')
    expect(first.reason).toBeInstanceOf(TimeoutError)
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[1]!.signal).not.toBe(calls[0]!.signal)
    expect(calls[1]!.signal.aborted).toBe(false)
    expect(second.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(10)
    expect(second.state).toBe('fulfilled')
    expect(second.value).toBe('second')
    expect(second.at).toBe(110)
    expect(calls[1]!.signal.aborted).toBe(false)
  })
})

describe('pipeline: the caller’s abort, when fn ignores its signal', () => {
  /** Aborts `controller` at fake time `atMs` with a fresh reason, and returns that reason. */
  async function abortAt(controller: AbortController, atMs: number): Promise<Error> {
    await vi.advanceTimersByTimeAsync(atMs - performance.now())
    const reason = new Error(`caller gone at ${atMs}`)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    return reason
  }

  it('pipeline(bulkhead, breaker) rejects at once; the bulkhead slot stays taken until fn settles; the breaker counts nothing', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const { calls, fn } = recorder(() => resolveAfter(500, 'late'))
    const controller = new AbortController()
    const result = track(pipeline(bulkhead, breaker).execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    expect(calls[0]!.signal.reason).toBe(reason)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(459)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(bulkhead.active).toBe(0)
    expect(breaker.stats).toMatchObject({ state: 'closed', totalFailures: 0, totalSuccesses: 0 })
  })

  it('pipeline(breaker, bulkhead) rejects at once; the bulkhead slot stays taken until fn settles; the breaker counts nothing', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const { calls, fn } = recorder(() => resolveAfter(500, 'late'))
    const controller = new AbortController()
    const result = track(pipeline(breaker, bulkhead).execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    expect(calls[0]!.signal.reason).toBe(reason)
    await vi.advanceTimersByTimeAsync(459)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(bulkhead.active).toBe(0)
    expect(breaker.stats).toMatchObject({ state: 'closed', totalFailures: 0, totalSuccesses: 0 })
  })

  it('pipeline(timeout, retry, breaker) with a half-open breaker: the aborted probe frees its slot at once and no attempt follows', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down')
    await vi.advanceTimersByTimeAsync(1000)
    const { calls, fn } = recorder(() => never())
    const controller = new AbortController()
    const composed = pipeline(timeoutPolicy(5_000), retryPolicy({ maxAttempts: 3 }), breaker)
    const result = track(composed.execute(fn, { signal: controller.signal }))
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 1 })
    const reason = await abortAt(controller, 1040)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 1040])
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 0, totalFailures: 1, totalSuccesses: 0 })
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
    await expect(breaker.execute(() => 'next probe')).resolves.toBe('next probe')
    expect(breaker.state).toBe('closed')
  })

  it('pipeline(bulkhead, retry) rejects at once, starts no further attempt, and keeps the slot until fn settles', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const { calls, fn } = recorder(() => resolveAfter(300, 'late'))
    const controller = new AbortController()
    const result = track(pipeline(bulkhead, retryPolicy({ maxAttempts: 3 })).execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    await vi.advanceTimersByTimeAsync(259)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(bulkhead.active).toBe(0)
    expect(calls).toHaveLength(1)
  })

  it('pipeline(bulkhead, timeout) rejects at once with the caller’s reason and keeps the slot until fn settles', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const { calls, fn } = recorder(() => resolveAfter(300, 'late'))
    const controller = new AbortController()
    const result = track(pipeline(bulkhead, timeoutPolicy(1_000)).execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    expect(calls[0]!.signal.reason).toBe(reason)
    await vi.advanceTimersByTimeAsync(259)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(bulkhead.active).toBe(0)
  })

  it('nested pipelines reject at once, and the bulkhead deep inside keeps its slot until fn settles', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const { calls, fn } = recorder(() => resolveAfter(300, 'late'))
    const controller = new AbortController()
    const composed = pipeline(pipeline(breaker), pipeline(pipeline(bulkhead), pipeline()))
    const result = track(composed.execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    expect(calls[0]!.signal.reason).toBe(reason)
    await vi.advanceTimersByTimeAsync(259)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(bulkhead.active).toBe(0)
    expect(breaker.stats).toMatchObject({ state: 'closed', totalFailures: 0, totalSuccesses: 0 })
  })

  it('an empty pipeline rejects at once with the caller’s reason', async () => {
    const { calls, fn } = recorder(() => never())
    const controller = new AbortController()
    const result = track(pipeline().execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    expect(calls[0]!.signal.reason).toBe(reason)
  })

  it('a foreign policy that ignores the signal does not keep the pipeline from rejecting at once', async () => {
    const foreign = foreignPolicy('foreign', [])
    const { calls, fn } = recorder(() => never())
    const controller = new AbortController()
    const result = track(pipeline(foreign).execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    expect(foreign.signals[0]).toBe(controller.signal)
    expect(calls[0]!.signal.reason).toBe(reason)
  })

  it('a foreign policy that waits before calling fn: the pipeline rejects at once, and fn is not started after the abort', async () => {
    const slowForeign: Policy = {
      async execute<T>(run: Operation<T>): Promise<T> {
        await resolveAfter(100, undefined)
        return run(undefined as unknown as ExecutionContext)
      },
    }
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const fn = vi.fn(() => 'must not run')
    const controller = new AbortController()
    const result = track(pipeline(slowForeign, bulkhead).execute(fn, { signal: controller.signal }))
    const reason = await abortAt(controller, 40)
    expect([result.state, result.reason, result.at]).toEqual(['rejected', reason, 40])
    await vi.advanceTimersByTimeAsync(100)
    expect(fn).not.toHaveBeenCalled()
    expect(bulkhead.active).toBe(0)
  })
})

describe('the success path', () => {
  it('never calls abort() on success, for fns that read signal and fns that do not (cockatiel\'s timeout aborts on every return: abortOnReturn)', async () => {
    const abort = vi.spyOn(AbortController.prototype, 'abort')
    const caller = new AbortController()
    const reads = (value: string) => (context: ExecutionContext) => {
      expect(context.signal.aborted).toBe(false)
      return resolveAfter(5, value)
    }
    const ignores = (value: string) => () => resolveAfter(5, value)
    const composed = pipeline(
      timeoutPolicy(1_000),
      retryPolicy({ maxAttempts: 3, timeoutMs: 500 }),
      new CircuitBreaker({ timeoutMs: 800 }),
      // 80 pipeline calls at once: 50 run, 30 wait in the queue.
      new Bulkhead({ maxConcurrent: 50, maxQueue: 50 }),
    )
    const work: Promise<unknown>[] = []
    for (let i = 0; i < 20; i++) {
      for (const fn of [reads(`r${i}`), ignores(`i${i}`)]) {
        work.push(withTimeout(fn, 100))
        work.push(withTimeout(fn, 100, { signal: caller.signal }))
        work.push(retry(fn, { maxAttempts: 3 }))
        work.push(retry(fn, { maxAttempts: 3, timeoutMs: 100, intervalMs: 10, signal: caller.signal }))
        work.push(settle({ a: fn, b: fn }, { timeoutMs: 100 }))
        work.push(settle({ a: fn }, { timeoutMs: 100, signal: caller.signal }))
        work.push(composed.execute(fn))
        work.push(composed.execute(fn, { signal: caller.signal }))
      }
    }
    // A retry that fails once and then succeeds is a success too (recorder reads each signal).
    const flaky = recorder((_context, index) =>
      index === 0 ? Promise.reject(new Error('blip')) : Promise.resolve('ok'),
    )
    work.push(retry(flaky.fn, { maxAttempts: 2, timeoutMs: 100, signal: caller.signal }))
    const all = track(Promise.all(work))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(all.state).toBe('fulfilled')
    expect(all.value).toHaveLength(20 * 2 * 8 + 1)
    expect(abort).not.toHaveBeenCalled()

    // The spy does see aborts: a single timeout is one call.
    const timedOut = track(withTimeout((context) => abortableResolveAfter(500, 'late', context.signal), 100))
    await vi.advanceTimersByTimeAsync(100)
    expect(timedOut.state).toBe('rejected')
    expect(abort).toHaveBeenCalledTimes(1)
  })
})
