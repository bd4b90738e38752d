import { AsyncLocalStorage } from 'node:async_hooks'

import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ResilienceError } from './errors/resilience-error.js'
import { TimeoutError, isTimeoutError } from './errors/timeout-error.js'
import { neverAbortedSignal } from './internal/context.js'
import { pendingTimers } from './internal/timer-queue.js'
import type { PolicyEvent } from './policy-events.js'
import {
  abortableResolveAfter,
  never,
  recorder,
  rejectAfter,
  resolveAfter,
  track,
} from './test-support/retry-helpers.js'
import type { ExecutionContext } from './types.js'
import { TimeoutPolicy, timeoutPolicy, withTimeout } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('withTimeout', () => {
  it('resolves with the value of work that finishes before timeoutMs, running fn once with attempt 1', async () => {
    const { calls, fn } = recorder(() => resolveAfter(40, 'done'))
    const result = track(withTimeout(fn, 100))

    await vi.advanceTimersByTimeAsync(39)
    expect(result.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)

    expect(result.state).toBe('fulfilled')
    expect(result.value).toBe('done')
    expect(result.at).toBe(40)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.attempt).toBe(1)
    expect(calls[0]!.signal.aborted).toBe(false)
    // Its timer is gone, and the later expiry does nothing to the finished call.
    expect(pendingTimers()).toBe(0)
    await vi.advanceTimersByTimeAsync(100)
    expect(calls[0]!.signal.aborted).toBe(false)
  })

  it('accepts a synchronous return value', async () => {
    await expect(withTimeout(() => 42, 100)).resolves.toBe(42)
    expect(pendingTimers()).toBe(0)
  })

  it('rejects with TimeoutError once timeoutMs passes and aborts fn\'s signal with that same error', async () => {
    const { calls, fn } = recorder(() => never<string>())
    const result = track(withTimeout(fn, 100))

    await vi.advanceTimersByTimeAsync(99)
    expect(result.state).toBe('pending')
    expect(calls[0]!.signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)

    expect(result.state).toBe('rejected')
    expect(result.at).toBe(100)
    expect(result.reason).toBeInstanceOf(TimeoutError)
    expect(result.reason).toBeInstanceOf(ResilienceError)
    expect(isTimeoutError(result.reason)).toBe(true)
    expect((result.reason as TimeoutError).timeoutMs).toBe(100)
    expect((result.reason as TimeoutError).message).toBe('Operation timed out after 100 ms')
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[0]!.signal.reason).toBe(result.reason)
    expect(pendingTimers()).toBe(0)
  })

  it('hands a signal that is already aborted to work that first reads it after the timeout', async () => {
    let late: AbortSignal | undefined
    const result = track(
      withTimeout((context) => {
        setTimeout(() => {
          late = context.signal
        }, 150)
        return never()
      }, 100),
    )
    await vi.advanceTimersByTimeAsync(150)
    expect(result.state).toBe('rejected')
    expect(late?.aborted).toBe(true)
    expect(late?.reason).toBe(result.reason)
  })

  it('lets well-behaved work stop when aborted: its own rejection after the timeout is swallowed', async () => {
    const seen: unknown[] = []
    const result = track(
      withTimeout(
        (context) =>
          abortableResolveAfter(500, 'late', context.signal).catch((error: unknown) => {
            seen.push(error)
            throw error
          }),
        100,
      ),
    )
    await vi.advanceTimersByTimeAsync(100)
    expect(result.state).toBe('rejected')
    // The work saw the TimeoutError through its signal, at the same moment.
    expect(seen).toEqual([result.reason])
    await vi.advanceTimersByTimeAsync(1000)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects with fn\'s own error, untouched, when fn fails before the timeout', async () => {
    const error = new Error('boom')
    const { calls, fn } = recorder(() => rejectAfter(30, error))
    const result = track(withTimeout(fn, 100))
    await vi.advanceTimersByTimeAsync(30)
    expect(result.state).toBe('rejected')
    expect(result.reason).toBe(error)
    expect(result.at).toBe(30)
    expect(calls[0]!.signal.aborted).toBe(false)
    expect(pendingTimers()).toBe(0)
  })

  it('turns a synchronous throw of fn into a rejection with that same error', async () => {
    const error = new TypeError('sync')
    const promise = withTimeout(() => {
      throw error
    }, 100)
    await expect(promise).rejects.toBe(error)
    expect(pendingTimers()).toBe(0)
  })

  describe('timeout racing success in the same tick', () => {
    it('times out a call whose work settles at exactly timeoutMs but after the timer fired', async () => {
      // The timeout's timer is armed before fn runs, so at t=100 it fires first: the call has not
      // settled yet, so it has timed out, even though its work resolves in the same tick.
      const { calls, fn } = recorder(() => resolveAfter(100, 'just in time'))
      const result = track(withTimeout(fn, 100))
      await vi.advanceTimersByTimeAsync(100)
      expect(result.state).toBe('rejected')
      expect(result.reason).toBeInstanceOf(TimeoutError)
      expect(calls[0]!.signal.reason).toBe(result.reason)
    })

    it('resolves a call whose work settled at exactly timeoutMs before the timer fired', async () => {
      // The work's timer was set before withTimeout was called, so it fires first in that tick.
      const work = resolveAfter(100, 'first')
      const { calls, fn } = recorder(() => work)
      const result = track(withTimeout(fn, 100))
      await vi.advanceTimersByTimeAsync(100)
      expect(result.state).toBe('fulfilled')
      expect(result.value).toBe('first')
      expect(calls[0]!.signal.aborted).toBe(false)
    })

    it('resolves work that finishes 1 ms before the timeout', async () => {
      const result = track(withTimeout(() => resolveAfter(99, 'ok'), 100))
      await vi.advanceTimersByTimeAsync(100)
      expect(result.state).toBe('fulfilled')
      expect(result.at).toBe(99)
    })
  })

  describe('caller signal', () => {
    it('rejects at once with the reason of a signal aborted before the call, without running fn', async () => {
      const controller = new AbortController()
      const reason = new Error('caller left')
      controller.abort(reason)
      const fn = vi.fn(() => 'never')
      await expect(withTimeout(fn, 100, { signal: controller.signal })).rejects.toBe(reason)
      expect(fn).not.toHaveBeenCalled()
      expect(pendingTimers()).toBe(0)
    })

    it('rejects at once with the caller\'s reason when the caller aborts mid-call, and aborts fn\'s signal with it', async () => {
      const controller = new AbortController()
      const reason = new Error('caller left')
      const { calls, fn } = recorder(() => never())
      const result = track(withTimeout(fn, 100, { signal: controller.signal }))
      await vi.advanceTimersByTimeAsync(30)
      expect(calls[0]!.signal).not.toBe(controller.signal)
      controller.abort(reason)
      await vi.advanceTimersByTimeAsync(0)

      expect(result.state).toBe('rejected')
      expect(result.reason).toBe(reason)
      expect(result.at).toBe(30)
      expect(calls[0]!.signal.aborted).toBe(true)
      expect(calls[0]!.signal.reason).toBe(reason)
      // The timeout was cancelled: nothing happens at t=100.
      expect(pendingTimers()).toBe(0)
      await vi.advanceTimersByTimeAsync(100)
      expect(calls[0]!.signal.reason).toBe(reason)
    })

    it('rejects with the DOMException AbortError when the caller aborts without a reason', async () => {
      const controller = new AbortController()
      const result = track(withTimeout(() => never(), 100, { signal: controller.signal }))
      controller.abort()
      await vi.advanceTimersByTimeAsync(0)
      expect(result.state).toBe('rejected')
      expect(result.reason).toBe(controller.signal.reason)
      expect((result.reason as DOMException).name).toBe('AbortError')
    })

    it('stops listening to the caller\'s signal once the call is over', async () => {
      const controller = new AbortController()
      const { calls, fn } = recorder(() => resolveAfter(10, 'v'))
      const result = track(withTimeout(fn, 100, { signal: controller.signal }))
      await vi.advanceTimersByTimeAsync(10)
      expect(result.state).toBe('fulfilled')
      controller.abort(new Error('too late'))
      expect(calls[0]!.signal.aborted).toBe(false)
    })

    it('gives fn a signal of its own under a timeout, not the shared never-aborted one', async () => {
      const { calls, fn } = recorder(() => 1)
      await withTimeout(fn, 100)
      expect(calls[0]!.signal).not.toBe(neverAbortedSignal)
      expect(calls[0]!.signal.aborted).toBe(false)
    })
  })

  it('every call has its own signal, so one call\'s timeout never aborts another (opossum shares one AbortController per breaker)', async () => {
    const slow = recorder(() => never<string>())
    const fast = recorder(() => resolveAfter(150, 'fast'))
    const slowResult = track(withTimeout(slow.fn, 100))
    const fastResult = track(withTimeout(fast.fn, 200))

    await vi.advanceTimersByTimeAsync(100)
    expect(slowResult.state).toBe('rejected')
    expect(slow.calls[0]!.signal.aborted).toBe(true)
    expect(fast.calls[0]!.signal).not.toBe(slow.calls[0]!.signal)
    expect(fast.calls[0]!.signal.aborted).toBe(false)

    await vi.advanceTimersByTimeAsync(50)
    expect(fastResult.state).toBe('fulfilled')
    expect(fastResult.value).toBe('fast')
    expect(fast.calls[0]!.signal.aborted).toBe(false)
  })

  it('times out many concurrent calls of different lengths each at its own time', async () => {
    const limits = [300, 100, 200, 100, 250]
    const results = limits.map((ms) => track(withTimeout(() => never(), ms)))
    await vi.advanceTimersByTimeAsync(400)
    expect(results.map((r) => r.at)).toEqual(limits)
    expect(results.map((r) => (r.reason as TimeoutError).timeoutMs)).toEqual(limits)
  })

  it('honours a timeout longer than setTimeout\'s 2^31-1 ms limit instead of firing after 1 ms', async () => {
    const limit = 2 ** 31 + 5_000
    const result = track(withTimeout(() => never(), limit))
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1)
    expect(result.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(limit - (2 ** 31 - 1) - 1)
    expect(result.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    expect(result.state).toBe('rejected')
    expect(result.at).toBe(limit)
  })

  it.each([0, -1, Number.NaN])('throws RangeError synchronously for timeoutMs %s, without running fn', (ms) => {
    const fn = vi.fn(() => 1)
    expect(() => withTimeout(fn, ms)).toThrow(RangeError)
    expect(fn).not.toHaveBeenCalled()
  })
})

describe('withTimeout (properties)', () => {
  it('resolves iff the work\'s delay is below the timeout, settling at min(delay, timeoutMs) on the fake clock', async () => {
    // Delays are odd and timeouts even: the same-tick race is pinned down in the tests above.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 500 }).map((n) => 2 * n + 1),
        fc.integer({ min: 1, max: 500 }).map((n) => 2 * n),
        fc.boolean(),
        fc.boolean(),
        async (delayMs, timeoutMs, fails, honoursSignal) => {
          const start = performance.now()
          const error = new Error('work failed')
          const { calls, fn } = recorder((context) => {
            if (fails) {
              return rejectAfter(delayMs, error)
            }
            return honoursSignal ? abortableResolveAfter(delayMs, 'v', context.signal) : resolveAfter(delayMs, 'v')
          })
          const result = track(withTimeout(fn, timeoutMs))
          await vi.advanceTimersByTimeAsync(1_001)
          expect(result.at! - start).toBe(Math.min(delayMs, timeoutMs))
          if (delayMs < timeoutMs) {
            expect(result.state).toBe(fails ? 'rejected' : 'fulfilled')
            expect(fails ? result.reason : result.value).toBe(fails ? error : 'v')
            expect(calls[0]!.signal.aborted).toBe(false)
          } else {
            expect(result.state).toBe('rejected')
            expect(result.reason).toBeInstanceOf(TimeoutError)
            expect((result.reason as TimeoutError).timeoutMs).toBe(timeoutMs)
            expect(calls[0]!.signal.reason).toBe(result.reason)
          }
          expect(pendingTimers()).toBe(0)
          await vi.runAllTimersAsync()
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('timeoutPolicy', () => {
  it('builds a TimeoutPolicy that keeps its timeoutMs and bounds each execute', async () => {
    const policy = timeoutPolicy(50)
    expect(policy).toBeInstanceOf(TimeoutPolicy)
    expect(policy.timeoutMs).toBe(50)
    const seen: ExecutionContext[] = []
    const first = track(
      policy.execute((context) => {
        seen.push(context)
        return never()
      }),
    )
    await vi.advanceTimersByTimeAsync(50)
    expect(first.state).toBe('rejected')
    expect((first.reason as TimeoutError).timeoutMs).toBe(50)
    expect(seen[0]!.signal.reason).toBe(first.reason)
    // The policy is reusable: a second call gets a fresh, unaborted signal.
    const second = track(policy.execute((context) => abortableResolveAfter(20, 'ok', context.signal)))
    await vi.advanceTimersByTimeAsync(20)
    expect(second.value).toBe('ok')
  })

  it('follows the signal given to execute', async () => {
    const controller = new AbortController()
    const reason = new Error('stop')
    const { calls, fn } = recorder(() => never())
    const result = track(timeoutPolicy(100).execute(fn, { signal: controller.signal }))
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(result.reason).toBe(reason)
    expect(calls[0]!.signal.reason).toBe(reason)
  })

  it('refuses a non-positive timeout with RangeError', () => {
    expect(() => timeoutPolicy(0)).toThrow(RangeError)
    expect(() => new TimeoutPolicy(-5)).toThrow(RangeError)
  })
})

describe('timeout: events', () => {
  it('reports the timeout when it gives up on the call, and nothing for a call that answers in time', async () => {
    const heard: (PolicyEvent & { at: number })[] = []
    const listener = (event: PolicyEvent): void => {
      heard.push({ ...event, at: performance.now() })
    }
    const late = track(withTimeout(() => never(), 100, { listener }))
    const early = track(withTimeout(() => resolveAfter(50, 'early'), 100, { listener }))
    await vi.advanceTimersByTimeAsync(100)
    expect(late.reason).toBeInstanceOf(TimeoutError)
    expect(early.value).toBe('early')
    expect(heard).toEqual([{ type: 'timeout', policy: 'timeout', timeoutMs: 100, at: 100 }])
  })

  it('tells a listener in the call\'s AsyncLocalStorage context, though the shared timer fires elsewhere, until it unsubscribes', async () => {
    const als = new AsyncLocalStorage<string>()
    const seen: (string | undefined)[] = []
    const policy = new TimeoutPolicy(100)
    const stop = policy.listen(() => seen.push(als.getStore()))
    // The first call arms the shared timer, outside any context; the second fires from it.
    const first = track(policy.execute(() => never()))
    const second = track(als.run('request 3', () => policy.execute(() => never())))
    await vi.advanceTimersByTimeAsync(100)
    expect(first.reason).toBeInstanceOf(TimeoutError)
    expect(second.reason).toBeInstanceOf(TimeoutError)
    expect(seen).toEqual([undefined, 'request 3'])
    stop()
    const third = track(policy.execute(() => never()))
    await vi.advanceTimersByTimeAsync(100)
    expect(third.reason).toBeInstanceOf(TimeoutError)
    expect(seen).toHaveLength(2)
  })

  it('still times the call out when a listener throws', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown): void => {
      uncaught.push(error)
    }
    process.on('uncaughtException', onUncaught)
    const { calls, fn } = recorder(() => never())
    const result = track(withTimeout(fn, 100, {
      listener: () => {
        throw new Error('listener bug')
      },
    }))
    await vi.advanceTimersByTimeAsync(100)
    await vi.runAllTimersAsync()
    process.off('uncaughtException', onUncaught)
    expect(result.reason).toBeInstanceOf(TimeoutError)
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(uncaught).toEqual([new Error('listener bug')])
  })
})
