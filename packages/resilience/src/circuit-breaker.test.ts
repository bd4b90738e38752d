import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { CircuitBreaker, type CircuitBreakerOptions, type FailureContext } from './circuit-breaker.js'
import { CircuitOpenError } from './errors/circuit-open-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import { pipeline } from './pipeline.js'
import type { SlidingWindow } from './sliding-window.js'
import { deferred, failCalls, recordTransitions, track } from './test-support/breaker-helpers.js'
import type { ExecutionContext } from './types.js'
import { timeoutPolicy } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

/** Resolves with `value` after `ms` of fake time. */
function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms))
}

/** Never settles on its own; rejects with the signal's reason once the signal is aborted. */
function untilAborted({ signal }: ExecutionContext): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}

/** Starts `start()`, lets `ms` of fake time pass, then awaits it. */
async function within<T>(ms: number, start: () => Promise<T>): Promise<T> {
  const promise = start()
  promise.catch(() => {})
  await vi.advanceTimersByTimeAsync(ms)
  return promise
}

async function refusal(promise: Promise<unknown>): Promise<CircuitOpenError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(CircuitOpenError)
  return error as CircuitOpenError
}

/** An open breaker (opened at the current fake time by `maxFailures` failures). */
async function openBreaker(options: CircuitBreakerOptions): Promise<CircuitBreaker> {
  const breaker = new CircuitBreaker(options)
  await failCalls(breaker, breaker.maxFailures)
  expect(breaker.state).toBe('open')
  return breaker
}

describe('CircuitBreaker: closed → open', () => {
  it('opens after maxFailures failures inside windowMs', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 3, windowMs: 1000, resetIntervalMs: 5000 })
    const transitions = recordTransitions(breaker)

    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(400)
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(599)
    expect(breaker.state).toBe('closed')
    await failCalls(breaker, 1)

    expect(breaker.state).toBe('open')
    expect(transitions).toEqual([['open', 'closed']])
    expect(breaker.stats.totalFailures).toBe(3)
  })

  it('does not open when maxFailures failures are spread wider than windowMs', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 3, windowMs: 1000, resetIntervalMs: 5000 })
    const transitions = recordTransitions(breaker)

    // Failures at t = 0, 600, 1200 and 1801: no three of them lie within 1000 ms.
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(600)
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(600)
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(601)
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('closed')
    expect(transitions).toEqual([])

    // t = 2000: the failures at 1200, 1801 and 2000 are within 1000 ms.
    await vi.advanceTimersByTimeAsync(199)
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
    expect(transitions).toEqual([['open', 'closed']])
  })

  it('counts failures inside the window even with successes between them', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, windowMs: 1000 })
    await failCalls(breaker, 1)
    await expect(breaker.execute(() => 'fine')).resolves.toBe('fine')
    await expect(breaker.execute(async () => 'fine too')).resolves.toBe('fine too')
    expect(breaker.state).toBe('closed')
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
  })

  it('counts a synchronous throw from fn as a failure and rethrows it untouched', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const error = new Error('sync')
    await expect(
      breaker.execute(() => {
        throw error
      }),
    ).rejects.toBe(error)
    expect(breaker.state).toBe('open')
  })
})

describe('CircuitBreaker: open', () => {
  it('refuses at once with CircuitOpenError without calling fn, and retryAfterMs counts down', async () => {
    const breaker = await openBreaker({ maxFailures: 2, windowMs: 1000, resetIntervalMs: 5000 })
    const fn = vi.fn(() => 'never')

    expect((await refusal(breaker.execute(fn))).retryAfterMs).toBe(5000)
    await vi.advanceTimersByTimeAsync(1234)
    expect((await refusal(breaker.execute(fn))).retryAfterMs).toBe(3766)
    expect(breaker.stats.retryAfterMs).toBe(3766)
    await vi.advanceTimersByTimeAsync(3765)
    expect((await refusal(breaker.execute(fn))).retryAfterMs).toBe(1)

    expect(fn).not.toHaveBeenCalled()
    expect(breaker.stats.totalRejected).toBe(3)
  })

  it('refuses synchronously: the rejection is already there before any time passes', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 5000 })
    const call = track(breaker.execute(() => 'never'))
    await Promise.resolve()
    await Promise.resolve()
    expect(call.outcome.status).toBe('rejected')
  })

  it('moves to half-open lazily, on the next call once resetIntervalMs has passed', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 5000 })
    const transitions = recordTransitions(breaker)
    await failCalls(breaker, 1)

    await vi.advanceTimersByTimeAsync(4999)
    expect((await refusal(breaker.execute(() => 'early'))).retryAfterMs).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    // No timer moves the breaker: nothing happens until somebody calls (or reads the state).
    expect(transitions).toEqual([['open', 'closed']])

    const fn = vi.fn(() => 'probe')
    await expect(breaker.execute(fn)).resolves.toBe('probe')
    expect(fn).toHaveBeenCalledTimes(1)
    expect(transitions).toEqual([
      ['open', 'closed'],
      ['half-open', 'open'],
      ['closed', 'half-open'],
    ])
  })

  it('moves to half-open when state is read after resetIntervalMs', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 5000 })
    const transitions = recordTransitions(breaker)
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(4999)
    expect(breaker.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(transitions).toEqual([['open', 'closed']])

    expect(breaker.state).toBe('half-open')
    expect(transitions).toEqual([
      ['open', 'closed'],
      ['half-open', 'open'],
    ])
    expect(breaker.stats.retryAfterMs).toBe(0)
  })
})

describe('CircuitBreaker: half-open', () => {
  it('runs exactly halfOpenMaxCalls probes at once and refuses the others with retryAfterMs 0', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, halfOpenMaxCalls: 2 })
    await vi.advanceTimersByTimeAsync(1000)
    const gate = deferred<string>()
    const fn = vi.fn(() => gate.promise)

    const first = track(breaker.execute(fn))
    const second = track(breaker.execute(fn))
    const third = await refusal(breaker.execute(fn))
    const fourth = await refusal(breaker.execute(fn))

    expect(fn).toHaveBeenCalledTimes(2)
    expect(third.retryAfterMs).toBe(0)
    expect(fourth.retryAfterMs).toBe(0)
    expect(breaker.state).toBe('half-open')
    expect(breaker.stats.probesInFlight).toBe(2)
    expect(breaker.stats.totalRejected).toBe(2)

    gate.resolve('ok')
    await expect(first.promise).resolves.toBe('ok')
    await expect(second.promise).resolves.toBe('ok')
    expect(breaker.state).toBe('closed')
  })

  it('with halfOpenMaxCalls 1, of two concurrent calls one runs and the other is refused', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    const fn = vi.fn(() => after(50, 'probe'))

    const [first, second] = await within(50, () => Promise.allSettled([breaker.execute(fn), breaker.execute(fn)]))

    expect(fn).toHaveBeenCalledTimes(1)
    expect(first).toEqual({ status: 'fulfilled', value: 'probe' })
    expect(second?.status).toBe('rejected')
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(CircuitOpenError)
    expect(breaker.state).toBe('closed')
  })

  it('a probe that succeeds closes the circuit with clean counts', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, windowMs: 60_000, resetIntervalMs: 1000 })
    await breaker.execute(() => 'before')
    await failCalls(breaker, 2)
    await refusal(breaker.execute(() => 'refused'))
    await vi.advanceTimersByTimeAsync(1000)

    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe')

    expect(breaker.stats).toEqual({
      state: 'closed',
      calls: 0,
      failures: 0,
      slowCalls: 0,
      failureRate: 0,
      totalSuccesses: 2,
      totalFailures: 2,
      totalRejected: 1,
      probesInFlight: 0,
      retryAfterMs: 0,
    })
    // The two failures before are still inside windowMs, yet forgotten: one new failure does not reopen.
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('closed')
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
  })

  it('a probe that fails reopens the circuit for a fresh resetIntervalMs', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 5000 })
    const transitions = recordTransitions(breaker)
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(5000)

    const probe = deferred<string>()
    const call = track(breaker.execute(() => probe.promise))
    await vi.advanceTimersByTimeAsync(300)
    probe.reject(new Error('still down'))
    await expect(call.promise).rejects.toThrow('still down')

    expect(transitions).toEqual([
      ['open', 'closed'],
      ['half-open', 'open'],
      ['open', 'half-open'],
    ])
    // Counted from the probe's failure (t = 5300), not from when half-open began.
    expect((await refusal(breaker.execute(() => 'x'))).retryAfterMs).toBe(5000)
    await vi.advanceTimersByTimeAsync(4999)
    expect(breaker.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(breaker.state).toBe('half-open')
  })

  it('with halfOpenMaxCalls 3 it needs three successful probes to close', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, halfOpenMaxCalls: 3 })
    await vi.advanceTimersByTimeAsync(1000)
    const probes = [deferred<number>(), deferred<number>(), deferred<number>()]
    const calls = probes.map((probe) => track(breaker.execute(() => probe.promise)))

    probes[0]?.resolve(1)
    await calls[0]?.promise
    expect(breaker.state).toBe('half-open')
    // One passed and two in flight: the probe budget of this half-open period is spent.
    expect((await refusal(breaker.execute(() => 0))).retryAfterMs).toBe(0)

    probes[1]?.resolve(2)
    await calls[1]?.promise
    expect(breaker.state).toBe('half-open')
    expect(breaker.stats.probesInFlight).toBe(1)

    probes[2]?.resolve(3)
    await calls[2]?.promise
    expect(breaker.state).toBe('closed')
  })

  it('with halfOpenMaxCalls 3, probes one after another also need three successes', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, halfOpenMaxCalls: 3 })
    await vi.advanceTimersByTimeAsync(1000)
    await breaker.execute(() => 1)
    expect(breaker.state).toBe('half-open')
    await breaker.execute(() => 2)
    expect(breaker.state).toBe('half-open')
    await breaker.execute(() => 3)
    expect(breaker.state).toBe('closed')
  })

  it('one failing probe among three reopens the circuit', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, halfOpenMaxCalls: 3 })
    await vi.advanceTimersByTimeAsync(1000)
    await breaker.execute(() => 1)
    await breaker.execute(() => 2)
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
    expect(breaker.stats.retryAfterMs).toBe(1000)
  })

  it('a probe abandoned by its caller frees its slot without judging the downstream', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    const controller = new AbortController()
    const abandoned = track(breaker.execute(untilAborted, { signal: controller.signal }))
    expect(breaker.stats.probesInFlight).toBe(1)

    controller.abort()
    await expect(abandoned.promise).rejects.toMatchObject({ name: 'AbortError' })

    expect(breaker.state).toBe('half-open')
    expect(breaker.stats.probesInFlight).toBe(0)
    await expect(breaker.execute(() => 'next probe')).resolves.toBe('next probe')
    expect(breaker.state).toBe('closed')
  })
})

describe('CircuitBreaker: results of calls admitted before a state change', () => {
  it('a late failure from the closed period does not reopen a half-open circuit', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, resetIntervalMs: 1000 })
    const slow = deferred<string>()
    const early = track(breaker.execute(() => slow.promise))
    await failCalls(breaker, 2)
    await vi.advanceTimersByTimeAsync(1000)
    const probe = deferred<string>()
    const probeCall = track(breaker.execute(() => probe.promise))
    expect(breaker.state).toBe('half-open')

    slow.reject(new Error('late'))
    await expect(early.promise).rejects.toThrow('late')
    expect(breaker.state).toBe('half-open')
    expect(breaker.stats.probesInFlight).toBe(1)

    probe.resolve('up')
    await expect(probeCall.promise).resolves.toBe('up')
    expect(breaker.state).toBe('closed')
    expect(breaker.stats.failures).toBe(0)
  })

  it('a late success from the closed period does not close a half-open circuit', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    const slow = deferred<string>()
    const early = track(breaker.execute(() => slow.promise))
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(breaker.state).toBe('half-open')

    slow.resolve('late')
    await expect(early.promise).resolves.toBe('late')
    expect(breaker.state).toBe('half-open')
    expect(breaker.stats.probesInFlight).toBe(0)
  })

  it('a probe that fails after reset() does not count against the closed circuit', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    const probe = deferred<string>()
    const probeCall = track(breaker.execute(() => probe.promise))
    breaker.reset()

    probe.reject(new Error('late'))
    await expect(probeCall.promise).rejects.toThrow('late')
    expect(breaker.state).toBe('closed')
    expect(breaker.stats.failures).toBe(0)
    // The failure still shows in the lifetime totals.
    expect(breaker.stats.totalFailures).toBe(2)
  })
})

describe('CircuitBreaker: failure rate', () => {
  it.each([0.5, 50])(
    'opens when the share of failures in the window reaches failureRateThreshold %s once minimumCalls calls finished',
    async (failureRateThreshold) => {
      const breaker = new CircuitBreaker({ maxFailures: Infinity, windowMs: 10_000, failureRateThreshold, minimumCalls: 4 })
      const transitions = recordTransitions(breaker)

      await breaker.execute(() => 'a')
      await failCalls(breaker, 1)
      await breaker.execute(() => 'b')
      // 1 failure in 3 calls: below minimumCalls, and below the threshold.
      expect(breaker.state).toBe('closed')
      await breaker.execute(() => 'c')
      // 1 in 4: minimumCalls reached, rate 0.25.
      expect(breaker.state).toBe('closed')
      await failCalls(breaker, 1)
      // 2 in 5: 0.4.
      expect(breaker.state).toBe('closed')
      expect(breaker.stats).toMatchObject({ calls: 5, failures: 2, failureRate: 0.4 })
      await failCalls(breaker, 1)
      // 3 in 6: 0.5.
      expect(breaker.state).toBe('open')
      expect(transitions).toEqual([['open', 'closed']])
    },
  )

  it('does not judge the failure rate before minimumCalls calls have finished', async () => {
    const breaker = new CircuitBreaker({ maxFailures: Infinity, failureRateThreshold: 0.5, minimumCalls: 4 })
    await failCalls(breaker, 3)
    expect(breaker.state).toBe('closed')
    expect(breaker.stats.failureRate).toBe(1)
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
  })

  it('opens on the call that reaches minimumCalls even when that call succeeds', async () => {
    const breaker = new CircuitBreaker({ maxFailures: Infinity, failureRateThreshold: 0.5, minimumCalls: 4 })
    await failCalls(breaker, 3)
    expect(breaker.state).toBe('closed')
    // 3 failures in 4 calls: 75 % of the calls in the window failed.
    await breaker.execute(() => 'ok')
    expect(breaker.state).toBe('open')
  })

  it('forgets calls that have left the window', async () => {
    const breaker = new CircuitBreaker({ maxFailures: Infinity, windowMs: 1000, failureRateThreshold: 0.5, minimumCalls: 2 })
    await breaker.execute(() => 'old')
    await vi.advanceTimersByTimeAsync(1000)
    expect(breaker.stats).toMatchObject({ calls: 0, failures: 0 })
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('closed')
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
  })

  it('with both limits set, maxFailures opens before the rate would', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, failureRateThreshold: 0.9, minimumCalls: 100 })
    await failCalls(breaker, 2)
    expect(breaker.state).toBe('open')
  })
})

describe('CircuitBreaker: slow calls', () => {
  it('counts a success slower than slowCallMs as a failure but still returns its value', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2, slowCallMs: 100 })

    // Exactly slowCallMs is not slower than it.
    await expect(within(100, () => breaker.execute(() => after(100, 'on time')))).resolves.toBe('on time')
    expect(breaker.stats).toMatchObject({ calls: 1, failures: 0, slowCalls: 0 })

    await expect(within(101, () => breaker.execute(() => after(101, 'slow')))).resolves.toBe('slow')
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 2, failures: 1, slowCalls: 1 })

    await expect(within(150, () => breaker.execute(() => after(150, 'slow again')))).resolves.toBe('slow again')
    expect(breaker.state).toBe('open')
  })

  it('a slow probe reopens the circuit', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, slowCallMs: 100 })
    await vi.advanceTimersByTimeAsync(1000)
    await expect(within(200, () => breaker.execute(() => after(200, 'slow probe')))).resolves.toBe('slow probe')
    expect(breaker.state).toBe('open')
    expect(breaker.stats.retryAfterMs).toBe(1000)
  })
})

describe('CircuitBreaker: timeoutMs', () => {
  it('rejects with TimeoutError at exactly timeoutMs, aborts fn’s signal and counts a failure', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, timeoutMs: 200 })
    let signal: AbortSignal | undefined
    const call = track(
      breaker.execute((context) => {
        signal = context.signal
        return after(1000, 'too late')
      }),
    )

    await vi.advanceTimersByTimeAsync(199)
    expect(call.outcome.status).toBe('pending')
    expect(signal?.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)

    expect(call.outcome.status).toBe('rejected')
    const error = (call.outcome as { reason: unknown }).reason
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).timeoutMs).toBe(200)
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBe(error)
    expect(breaker.state).toBe('open')
    expect(breaker.stats.totalFailures).toBe(1)
  })

  it('every call has its own signal, so one call’s timeout never aborts another (opossum shares one controller per breaker)', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 10, timeoutMs: 100 })
    const signals: AbortSignal[] = []
    const slow = track(
      breaker.execute(({ signal }) => {
        signals.push(signal)
        return after(500, 'slow')
      }),
    )
    await vi.advanceTimersByTimeAsync(30)
    const fast = track(
      breaker.execute(({ signal }) => {
        signals.push(signal)
        return after(80, 'fast')
      }),
    )

    await vi.advanceTimersByTimeAsync(70)
    // t = 100: the slow call timed out; the fast one (started at 30, due at 110) runs on.
    expect(slow.outcome.status).toBe('rejected')
    expect(signals[0]?.aborted).toBe(true)
    expect(signals[1]?.aborted).toBe(false)
    expect(fast.outcome.status).toBe('pending')

    await vi.advanceTimersByTimeAsync(10)
    expect(fast.outcome).toEqual({ status: 'fulfilled', value: 'fast' })
    expect(signals[1]?.aborted).toBe(false)
    expect(signals[0]).not.toBe(signals[1])
  })
})

describe('CircuitBreaker: isFailure', () => {
  class NotFound extends Error {}

  it('errors isFailure refuses count as successes and are rethrown untouched', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, isFailure: (error) => !(error instanceof NotFound) })
    const notFound = new NotFound('no such product')
    for (let index = 0; index < 5; index++) {
      await expect(breaker.execute(() => Promise.reject(notFound))).rejects.toBe(notFound)
    }
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 5, failures: 0, totalSuccesses: 5, totalFailures: 0 })

    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
  })

  it('a probe failing with an error isFailure refuses closes the circuit', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, isFailure: (error) => !(error instanceof NotFound) })
    await vi.advanceTimersByTimeAsync(1000)
    await expect(breaker.execute(() => Promise.reject(new NotFound()))).rejects.toBeInstanceOf(NotFound)
    expect(breaker.state).toBe('closed')
  })
})

describe('CircuitBreaker: aborts', () => {
  it('an abort by the caller is not counted as a failure', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const controller = new AbortController()
    const call = track(breaker.execute(untilAborted, { signal: controller.signal }))
    controller.abort()

    await expect(call.promise).rejects.toBeInstanceOf(DOMException)
    await expect(call.promise).rejects.toMatchObject({ name: 'AbortError' })
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0, failures: 0, totalFailures: 0, totalSuccesses: 0 })
  })

  it('an abort by the caller while the breaker’s own timeout runs is not counted either', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, timeoutMs: 1000 })
    const controller = new AbortController()
    const call = track(breaker.execute(() => after(5000, 'x'), { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(10)
    controller.abort(new Error('client went away'))
    await expect(call.promise).rejects.toThrow('client went away')
    expect(breaker.state).toBe('closed')
    expect(breaker.stats.totalFailures).toBe(0)
  })

  it('a caller\'s abort whose reason is a TimeoutError (its own deadline) counts as nothing by default', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const controller = new AbortController()
    const call = track(breaker.execute(untilAborted, { signal: controller.signal }))
    const timeout = new TimeoutError(50)
    controller.abort(timeout)
    await expect(call.promise).rejects.toBe(timeout)
    expect(breaker.state).toBe('closed')
    expect(breaker.stats).toMatchObject({ totalFailures: 0, totalSuccesses: 0 })
  })

  it('a timeoutPolicy inside the breaker counts as its failure; one outside it is the caller\'s', async () => {
    const inside = new CircuitBreaker({ maxFailures: 1 })
    const insideCall = track(pipeline(inside, timeoutPolicy(100)).execute(untilAborted))
    const outside = new CircuitBreaker({ maxFailures: 1 })
    const outsideCall = track(pipeline(timeoutPolicy(100), outside).execute(untilAborted))
    await vi.advanceTimersByTimeAsync(100)
    expect((insideCall.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect((outsideCall.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect(inside.state).toBe('open')
    expect(outside.state).toBe('closed')
    expect(outside.stats.totalFailures).toBe(0)
  })
})

describe('CircuitBreaker: the caller’s abort, when fn ignores its signal', () => {
  /** An operation that ignores its signal and settles as `settle` says; keeps the signal it got. */
  function ignoring<T>(settle: () => Promise<T>): { readonly fn: (context: ExecutionContext) => Promise<T>; readonly signals: AbortSignal[] } {
    const signals: AbortSignal[] = []
    return {
      signals,
      fn: (context) => {
        signals.push(context.signal)
        return settle()
      },
    }
  }
  const never = (): Promise<never> => new Promise<never>(() => {})

  it('closed: rejects within one tick with the exact reason, aborts fn’s signal, and counts nothing', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const transitions = recordTransitions(breaker)
    const { fn, signals } = ignoring(never)
    const controller = new AbortController()
    const call = track(breaker.execute(fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(40)
    expect(call.outcome.status).toBe('pending')

    const reason = new Error('client disconnected')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason })
    expect(signals).toHaveLength(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBe(reason)
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0, failures: 0, totalFailures: 0, totalSuccesses: 0 })
    expect(transitions).toEqual([])
  })

  it('closed: a late failure or late success of fn after the abort is ignored', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, slowCallMs: 50 })
    const lateFailure = ignoring(() => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 100)))
    const lateSuccess = ignoring(() => after(200, 'late'))
    const controller = new AbortController()
    const reason = new Error('gone')
    const failing = track(breaker.execute(lateFailure.fn, { signal: controller.signal }))
    const succeeding = track(breaker.execute(lateSuccess.fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(10)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(failing.outcome).toEqual({ status: 'rejected', reason })
    expect(succeeding.outcome).toEqual({ status: 'rejected', reason })

    // fn's failure at 100 and its slow success at 200 come too late to count.
    await vi.advanceTimersByTimeAsync(190)
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0, failures: 0, slowCalls: 0, totalFailures: 0, totalSuccesses: 0 })
  })

  it('half-open: a probe whose caller aborts frees its slot at the abort, and the next call probes', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    const transitions = recordTransitions(breaker)
    const { fn, signals } = ignoring(never)
    const controller = new AbortController()
    const probe = track(breaker.execute(fn, { signal: controller.signal }))
    expect(breaker.stats.probesInFlight).toBe(1)
    await refusal(breaker.execute(() => 'refused while the probe runs'))

    const reason = new Error('probe caller gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(probe.outcome).toEqual({ status: 'rejected', reason })
    expect(signals[0]!.reason).toBe(reason)
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 0, totalFailures: 1, totalSuccesses: 0 })

    await expect(breaker.execute(() => 'next probe')).resolves.toBe('next probe')
    expect(transitions).toEqual([['half-open', 'open'], ['closed', 'half-open']])
  })

  it('half-open: a late success or failure of an aborted probe neither closes nor reopens the circuit', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, halfOpenMaxCalls: 2 })
    await vi.advanceTimersByTimeAsync(1000)
    expect(breaker.state).toBe('half-open')
    const transitions = recordTransitions(breaker)
    const controller = new AbortController()
    const reason = new Error('gone')
    const succeeding = track(breaker.execute(ignoring(() => after(100, 'late')).fn, { signal: controller.signal }))
    const failing = track(
      breaker.execute(ignoring(() => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 100))).fn, {
        signal: controller.signal,
      }),
    )
    await vi.advanceTimersByTimeAsync(10)
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect([succeeding.outcome, failing.outcome]).toEqual([
      { status: 'rejected', reason },
      { status: 'rejected', reason },
    ])

    await vi.advanceTimersByTimeAsync(90)
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 0, totalFailures: 1, totalSuccesses: 0 })
    expect(transitions).toEqual([])
  })

  it('isFailure hears fn’s own rejection with callerAborted false', async () => {
    const isFailure = vi.fn((_error: unknown, _context: FailureContext) => true)
    const breaker = new CircuitBreaker({ maxFailures: 2, isFailure })
    const error = new Error('500 from the downstream')
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error)
    expect(isFailure).toHaveBeenCalledExactlyOnceWith(error, { callerAborted: false })
    expect(breaker.stats.totalFailures).toBe(1)
  })

  it('an isFailure that counts the caller’s abort opens the circuit at the abort, and fn’s late failure is not counted again', async () => {
    const isFailure = vi.fn((_error: unknown, context: FailureContext) => context.callerAborted)
    const breaker = new CircuitBreaker({ maxFailures: 1, isFailure })
    const transitions = recordTransitions(breaker)
    const { fn } = ignoring(() => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 100)))
    const controller = new AbortController()
    const call = track(breaker.execute(fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(10)
    const reason = new Error('gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason })
    expect(isFailure).toHaveBeenCalledExactlyOnceWith(reason, { callerAborted: true })
    expect(breaker.stats).toMatchObject({ state: 'open', totalFailures: 1, totalSuccesses: 0 })
    expect(transitions).toEqual([['open', 'closed']])

    await vi.advanceTimersByTimeAsync(90)
    expect(isFailure).toHaveBeenCalledTimes(1)
    expect(breaker.stats).toMatchObject({ totalFailures: 1, totalSuccesses: 0 })
  })

  it('an isFailure that refuses the caller’s abort does not make it a success: the probe leaves the circuit half-open', async () => {
    const isFailure = vi.fn((error: unknown) => !(error instanceof Error && error.message === 'gone'))
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000, isFailure })
    await vi.advanceTimersByTimeAsync(1000)
    const controller = new AbortController()
    const probe = track(breaker.execute(ignoring(never).fn, { signal: controller.signal }))
    const reason = new Error('gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(probe.outcome).toEqual({ status: 'rejected', reason })
    expect(isFailure).toHaveBeenLastCalledWith(reason, { callerAborted: true })
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 0, totalSuccesses: 0, totalFailures: 1 })
  })

  it('with timeoutMs, an abort before the limit rejects with the caller’s reason and never becomes a TimeoutError or a failure', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, timeoutMs: 100 })
    const { fn, signals } = ignoring(never)
    const controller = new AbortController()
    const call = track(breaker.execute(fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(30)
    const reason = new Error('gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason })
    expect(signals[0]!.reason).toBe(reason)
    await vi.advanceTimersByTimeAsync(1000)
    expect(breaker.stats).toMatchObject({ state: 'closed', failures: 0, totalFailures: 0, totalSuccesses: 0 })
  })

  it('a signal already aborted is refused with its reason without running fn or taking the probe slot', async () => {
    const breaker = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    const fn = vi.fn(() => 'must not run')
    const reason = new Error('already gone')
    await expect(breaker.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(fn).not.toHaveBeenCalled()
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 0, totalRejected: 0 })
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe')
    expect(breaker.state).toBe('closed')
  })

  it('an isFailure that counts outer timeouts opens the circuit when the timeout fires, even if fn never settles', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, isFailure: (error, { callerAborted }) => !callerAborted || error instanceof TimeoutError })
    const call = track(pipeline(timeoutPolicy(100), breaker).execute(ignoring(never).fn))
    await vi.advanceTimersByTimeAsync(99)
    expect(breaker.stats.totalFailures).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect((call.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect(breaker.stats).toMatchObject({ state: 'open', totalFailures: 1, totalSuccesses: 0 })
  })

  it('by default an outer timeout that fires counts nothing, even if fn never settles', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const call = track(pipeline(timeoutPolicy(100), breaker).execute(ignoring(never).fn))
    await vi.advanceTimersByTimeAsync(100)
    expect((call.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect(breaker.stats).toMatchObject({ state: 'closed', totalFailures: 0, totalSuccesses: 0 })
  })

  it('isFailure hears an outer timeout as an abort (callerAborted true) when it fires; refused, it counts nothing', async () => {
    const isFailure = vi.fn((_error: unknown, _context: FailureContext) => false)
    const breaker = new CircuitBreaker({ maxFailures: 1, isFailure })
    const call = track(pipeline(timeoutPolicy(100), breaker).execute(ignoring(never).fn))
    await vi.advanceTimersByTimeAsync(100)
    const reason = (call.outcome as { reason: unknown }).reason
    expect(reason).toBeInstanceOf(TimeoutError)
    expect(isFailure).toHaveBeenCalledExactlyOnceWith(reason, { callerAborted: true })
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0, totalFailures: 0, totalSuccesses: 0 })
  })

  it('isFailure hears the breaker’s own timeoutMs as the call’s own failure (callerAborted false)', async () => {
    const isFailure = vi.fn((_error: unknown, _context: FailureContext) => true)
    const breaker = new CircuitBreaker({ maxFailures: 1, timeoutMs: 100, isFailure })
    const controller = new AbortController()
    const call = track(breaker.execute(ignoring(never).fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(100)
    const error = (call.outcome as { reason: unknown }).reason
    expect(error).toBeInstanceOf(TimeoutError)
    expect(isFailure).toHaveBeenCalledExactlyOnceWith(error, { callerAborted: false })
    expect(breaker.stats).toMatchObject({ state: 'open', totalFailures: 1 })
  })
})

describe('CircuitBreaker: isolate and reset', () => {
  it('isolate() refuses every call with retryAfterMs Infinity until reset()', async () => {
    const breaker = new CircuitBreaker({ resetIntervalMs: 1000 })
    const transitions = recordTransitions(breaker)
    const fn = vi.fn(() => 'ran')

    breaker.isolate()
    expect(breaker.state).toBe('open')
    expect((await refusal(breaker.execute(fn))).retryAfterMs).toBe(Infinity)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(breaker.state).toBe('open')
    expect((await refusal(breaker.execute(fn))).retryAfterMs).toBe(Infinity)
    expect(breaker.stats.retryAfterMs).toBe(Infinity)
    expect(fn).not.toHaveBeenCalled()

    breaker.reset()
    expect(breaker.state).toBe('closed')
    await expect(breaker.execute(fn)).resolves.toBe('ran')
    expect(transitions).toEqual([
      ['open', 'closed'],
      ['closed', 'open'],
    ])
  })

  it('isolate() while open keeps it open past resetIntervalMs and emits no second open', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    const transitions = recordTransitions(breaker)
    await failCalls(breaker, 1)
    breaker.isolate()
    await vi.advanceTimersByTimeAsync(1000)
    expect(breaker.state).toBe('open')
    expect((await refusal(breaker.execute(() => 'x'))).retryAfterMs).toBe(Infinity)
    expect(transitions).toEqual([['open', 'closed']])
  })

  it('reset() closes an open circuit at once with clean counts', async () => {
    const breaker = await openBreaker({ maxFailures: 2, resetIntervalMs: 60_000 })
    const transitions = recordTransitions(breaker)
    breaker.reset()
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0, failures: 0, retryAfterMs: 0 })
    expect(transitions).toEqual([['closed', 'open']])
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('closed')
  })

  it('reset() of a closed circuit clears its counts and emits nothing', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 2 })
    const transitions = recordTransitions(breaker)
    await failCalls(breaker, 1)
    breaker.reset()
    expect(transitions).toEqual([])
    expect(breaker.stats.failures).toBe(0)
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('closed')
  })
})

describe('CircuitBreaker: onStateChange', () => {
  it('reports every transition in order, new state first, and nothing after unsubscribing', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    const seen: string[] = []
    const unsubscribe = breaker.onStateChange((state, previous) => seen.push(`${previous}→${state}`))

    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(1000)
    await failCalls(breaker, 1)
    await vi.advanceTimersByTimeAsync(1000)
    await breaker.execute(() => 'up')
    breaker.isolate()
    breaker.reset()
    expect(seen).toEqual([
      'closed→open',
      'open→half-open',
      'half-open→open',
      'open→half-open',
      'half-open→closed',
      'closed→open',
      'open→closed',
    ])

    unsubscribe()
    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
    expect(seen).toHaveLength(7)
  })

  it('unsubscribing twice removes the listener once, leaving its other subscription', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const listener = vi.fn()
    const first = breaker.onStateChange(listener)
    breaker.onStateChange(listener)
    first()
    first()
    await failCalls(breaker, 1)
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener).toHaveBeenCalledWith('open', 'closed')
  })

  it('a listener that throws does not break the breaker or the listeners after it', async () => {
    const deferredThrows: Array<() => void> = []
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      deferredThrows.push(callback)
    })
    const breaker = new CircuitBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    const listenerError = new Error('listener bug')
    breaker.onStateChange(() => {
      throw listenerError
    })
    const transitions = recordTransitions(breaker)

    await failCalls(breaker, 1)
    expect(breaker.state).toBe('open')
    expect(transitions).toEqual([['open', 'closed']])
    await vi.advanceTimersByTimeAsync(1000)
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe')
    expect(breaker.state).toBe('closed')
    expect(transitions).toHaveLength(3)

    // The error is not swallowed: it is rethrown later, outside the breaker.
    expect(deferredThrows).toHaveLength(3)
    expect(() => deferredThrows[0]?.()).toThrow(listenerError)
  })
})

describe('CircuitBreaker: wrap', () => {
  it('wrap(fn) passes the arguments through and counts the outcomes', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const inner = vi.fn((id: number, label: string) => (id < 0 ? Promise.reject(new Error('bad id')) : `${label}#${id}`))
    const request = breaker.wrap(inner)

    await expect(request(7, 'product')).resolves.toBe('product#7')
    expect(inner).toHaveBeenLastCalledWith(7, 'product')
    await expect(request(-1, 'product')).rejects.toThrow('bad id')
    expect(breaker.state).toBe('open')
    await expect(request(8, 'product')).rejects.toBeInstanceOf(CircuitOpenError)
    expect(inner).toHaveBeenCalledTimes(2)
  })
})

describe('CircuitBreaker: stats', () => {
  it('reports window counts, lifetime totals, refusals, probes and retryAfterMs', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 3, windowMs: 1000, resetIntervalMs: 2000, slowCallMs: 100 })
    expect(breaker.stats).toEqual({
      state: 'closed',
      calls: 0,
      failures: 0,
      slowCalls: 0,
      failureRate: 0,
      totalSuccesses: 0,
      totalFailures: 0,
      totalRejected: 0,
      probesInFlight: 0,
      retryAfterMs: 0,
    })

    await breaker.execute(() => 'a')
    await breaker.execute(() => 'b')
    await within(150, () => breaker.execute(() => after(150, 'slow')))
    await failCalls(breaker, 1)
    expect(breaker.stats).toEqual({
      state: 'closed',
      calls: 4,
      failures: 2,
      slowCalls: 1,
      failureRate: 0.5,
      totalSuccesses: 3,
      totalFailures: 1,
      totalRejected: 0,
      probesInFlight: 0,
      retryAfterMs: 0,
    })

    await failCalls(breaker, 1)
    await refusal(breaker.execute(() => 'refused'))
    await vi.advanceTimersByTimeAsync(500)
    expect(breaker.stats).toMatchObject({ state: 'open', totalFailures: 2, totalRejected: 1, retryAfterMs: 1500 })

    await vi.advanceTimersByTimeAsync(1500)
    const probe = deferred<string>()
    const probeCall = track(breaker.execute(() => probe.promise))
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesInFlight: 1, retryAfterMs: 0 })
    probe.resolve('done')
    await probeCall.promise
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0, probesInFlight: 0, totalSuccesses: 4 })
  })

  it('exposes its configuration and name', () => {
    const breaker = new CircuitBreaker({ name: 'products', maxFailures: 4, windowMs: 2000, resetIntervalMs: 3000 })
    expect(breaker).toMatchObject({ name: 'products', maxFailures: 4, windowMs: 2000, resetIntervalMs: 3000 })
    expect(new CircuitBreaker()).toMatchObject({ name: undefined, maxFailures: 5, windowMs: 60_000, resetIntervalMs: 30_000 })
  })
})

describe('CircuitBreaker: CircuitOpenError', () => {
  it('names the breaker in the error it refuses with', async () => {
    const named = await openBreaker({ name: 'products', maxFailures: 1, resetIntervalMs: 1000 })
    const error = await refusal(named.execute(() => 'x'))
    expect(error).toMatchObject({
      name: 'CircuitOpenError',
      code: 'RES_ERR_CIRCUIT_OPEN',
      breaker: 'products',
      retryAfterMs: 1000,
      message: 'Circuit "products" is open',
    })

    const unnamed = await openBreaker({ maxFailures: 1, resetIntervalMs: 1000 })
    const anonymous = await refusal(unnamed.execute(() => 'x'))
    expect(anonymous.breaker).toBeUndefined()
    expect(anonymous.message).toBe('Circuit is open')
  })
})

describe('CircuitBreaker: options', () => {
  it.each<[string, CircuitBreakerOptions]>([
    ['maxFailures 0', { maxFailures: 0 }],
    ['maxFailures 1.5', { maxFailures: 1.5 }],
    ['maxFailures NaN', { maxFailures: Number.NaN }],
    ['windowMs 0', { windowMs: 0 }],
    ['resetIntervalMs -1', { resetIntervalMs: -1 }],
    ['timeoutMs 0', { timeoutMs: 0 }],
    ['halfOpenMaxCalls 0', { halfOpenMaxCalls: 0 }],
    ['slowCallMs 0', { slowCallMs: 0 }],
    ['minimumCalls 0', { minimumCalls: 0 }],
    ['failureRateThreshold 0', { failureRateThreshold: 0 }],
    ['failureRateThreshold 101', { failureRateThreshold: 101 }],
  ])('rejects %s with a RangeError', (_, options) => {
    expect(() => new CircuitBreaker(options)).toThrow(RangeError)
  })

  it('accepts maxFailures Infinity, leaving the opening to the failure rate', async () => {
    const breaker = new CircuitBreaker({ maxFailures: Infinity })
    await failCalls(breaker, 50)
    expect(breaker.state).toBe('closed')
  })
})

describe('CircuitBreaker: cost per call', () => {
  it('per-call cost stays flat as the window fills (opossum re-sorts its samples on each failure)', async () => {
    // Rate-based tripping and a finite maxFailures: the configuration that does the most work per call.
    const breaker = new CircuitBreaker({
      maxFailures: 100_000,
      windowMs: 60_000,
      failureRateThreshold: 0.9,
      minimumCalls: 10,
    })
    const internals = breaker as unknown as { window: SlidingWindow; failureTimes: Float64Array }
    const storage = (): number[] => {
      const window = internals.window as unknown as { counts: Float64Array; totals: Float64Array }
      return [window.counts.byteLength, window.totals.byteLength, internals.failureTimes.byteLength]
    }
    const clock = vi.spyOn(performance, 'now')
    const ok = (): string => 'ok'
    const boom = (): Promise<never> => Promise.reject(new Error('boom'))
    /** Clock reads and storage while recording one success and one failure. */
    const measure = async (): Promise<{ reads: number; storage: number[] }> => {
      clock.mockClear()
      await breaker.execute(ok)
      await breaker.execute(boom).catch(() => {})
      return { reads: clock.mock.calls.length, storage: storage() }
    }
    const fill = async (outcomes: number): Promise<void> => {
      for (let index = 0; index < outcomes; index += 2) {
        await breaker.execute(ok)
        await breaker.execute(boom).catch(() => {})
      }
    }

    await fill(10)
    const early = await measure()
    await fill(100_000 - 12)
    const late = await measure()

    // Everything happened at one fake instant, inside one window.
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 100_002, failures: 50_001 })
    expect(late).toEqual(early)
    // A success: record it, then judge the rate (two totals). A failure: record it and its time,
    // then judge the rate. The same 8 reads at 10 outcomes as at 100 000.
    expect(early.reads).toBe(8)
    expect(early.storage).toEqual([10 * 3 * 8, 3 * 8, 100_000 * 8])
  })
})

describe('CircuitBreaker and platform timeouts', () => {
  it('counts a caller\'s AbortSignal.timeout() only when isFailure says so', async () => {
    const breaker = new CircuitBreaker({
      maxFailures: 1,
      windowMs: 1000,
      resetIntervalMs: 1000,
      isFailure: (error, { callerAborted }) => !callerAborted || (error instanceof DOMException && error.name === 'TimeoutError'),
    })
    const controller = new AbortController()
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    const call = breaker.execute(({ signal }) => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    }), { signal: controller.signal })
    controller.abort(reason)
    await expect(call).rejects.toBe(reason)
    expect(breaker.state).toBe('open')
  })

  it('refuses a fractional halfOpenMaxCalls', () => {
    expect(() => new CircuitBreaker({ halfOpenMaxCalls: 1.5 })).toThrow(RangeError)
  })
})
