import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Deadline } from './deadline.js'
import { TimeoutError } from './errors/timeout-error.js'
import { TooManyRetriesError } from './errors/too-many-retries-error.js'
import { retry } from './retry.js'
import { AttemptError, abortableResolveAfter, never, recorder, track } from './test-support/retry-helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** How one call behaves: fails (or succeeds) after `delayMs`, synchronously when `delayMs` is 0. */
const outcomeArbitrary = fc.record({ fails: fc.boolean(), delayMs: fc.integer({ min: 0, max: 50 }) })

function settleAfter(delayMs: number, fails: boolean, index: number): Promise<string> {
  if (delayMs === 0) {
    return fails ? Promise.reject(new AttemptError(index)) : Promise.resolve(`ok ${index}`)
  }
  return new Promise<string>((resolve, reject) =>
    setTimeout(() => (fails ? reject(new AttemptError(index)) : resolve(`ok ${index}`)), delayMs),
  )
}

describe('retry (properties)', () => {
  it('makes at most maxAttempts calls, stops at the first success, and pauses exactly intervalMs between attempts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(outcomeArbitrary, { maxLength: 10 }),
        fc.integer({ min: 0, max: 40 }),
        async (maxAttempts, pattern, intervalMs) => {
          const start = performance.now()
          // Calls past the generated pattern fail.
          const behaviour = (index: number) => pattern[index] ?? { fails: true, delayMs: 1 }
          const { calls, fn } = recorder((_context, index) => {
            const { fails, delayMs } = behaviour(index)
            return settleAfter(delayMs, fails, index)
          })
          const result = track(retry(fn, { maxAttempts, intervalMs }))
          await vi.runAllTimersAsync()

          const firstSuccess = Array.from({ length: maxAttempts }, (_, i) => i).find((i) => !behaviour(i).fails)
          const expectedCalls = firstSuccess === undefined ? maxAttempts : firstSuccess + 1
          expect(calls).toHaveLength(expectedCalls)
          expect(calls.map((c) => c.attempt)).toEqual(Array.from({ length: expectedCalls }, (_, i) => i + 1))
          let at = 0
          for (const [index, call] of calls.entries()) {
            expect(call.at - start).toBe(at)
            at += behaviour(index).delayMs + intervalMs
          }
          if (firstSuccess === undefined) {
            const error = result.reason as TooManyRetriesError
            expect(error).toBeInstanceOf(TooManyRetriesError)
            expect(error.reason).toBe('attempts')
            expect(error.attempts).toBe(maxAttempts)
            expect(error.errors.map((e) => (e as AttemptError).index)).toEqual(
              Array.from({ length: maxAttempts }, (_, i) => i),
            )
            expect(error.cause).toBe(error.errors[maxAttempts - 1])
          } else {
            expect(result.value).toBe(`ok ${firstSuccess}`)
          }
        },
      ),
      { numRuns: 100 },
    )
  })

  it('makes exactly maxAttempts calls when every call fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 12, maxLength: 12 }),
        async (maxAttempts, delays) => {
          const { calls, fn } = recorder((_context, index) => settleAfter(delays[index]!, true, index))
          const result = track(retry(fn, { maxAttempts }))
          await vi.runAllTimersAsync()
          expect(calls).toHaveLength(maxAttempts)
          expect((result.reason as TooManyRetriesError).attempts).toBe(maxAttempts)
          expect((result.reason as TooManyRetriesError).errors).toHaveLength(maxAttempts)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('never sleeps past a deadline: settles by it, starts every attempt before it, and bounds each attempt by it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          deadlineMs: fc.integer({ min: 1, max: 400 }),
          maxAttempts: fc.integer({ min: 1, max: 10 }),
          intervalMs: fc.integer({ min: 0, max: 150 }),
          backoff: fc.constantFrom('constant' as const, 'exponential' as const),
          timeoutMs: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
          retryAfterMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
          // Per call: how long until it fails (undefined: it hangs), and whether it heeds its signal.
          calls: fc.array(
            fc.record({
              delayMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
              honoursSignal: fc.boolean(),
            }),
            { minLength: 10, maxLength: 10 },
          ),
        }),
        async ({ deadlineMs, maxAttempts, intervalMs, backoff, timeoutMs, retryAfterMs, calls: specs }) => {
          const start = performance.now()
          const deadline = Deadline.after(deadlineMs)
          const { calls, fn } = recorder((context, index) => {
            const spec = specs[index]!
            const error = Object.assign(new AttemptError(index), retryAfterMs === undefined ? {} : { retryAfterMs })
            if (spec.delayMs === undefined) {
              return spec.honoursSignal ? abortableResolveAfter(10_000, 'too late', context.signal) : never()
            }
            const failure = new Promise<never>((_resolve, reject) => setTimeout(() => reject(error), spec.delayMs))
            return spec.honoursSignal ? Promise.race([failure, abortableResolveAfter(10_000, 'x', context.signal)]) : failure
          })
          const options = {
            maxAttempts,
            intervalMs,
            backoff,
            deadline,
            random: () => 0.5,
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
          }
          const result = track(retry(fn, options))
          await vi.advanceTimersByTimeAsync(deadlineMs)
          expect(result.state).toBe('rejected')
          expect(result.at! - start).toBeLessThanOrEqual(deadlineMs)

          const callsWhenSettled = calls.length
          await vi.runAllTimersAsync()
          // Nothing more happens after it gave up: no attempt starts later.
          expect(calls).toHaveLength(callsWhenSettled)
          expect(calls.length).toBeGreaterThanOrEqual(1)
          expect(calls.length).toBeLessThanOrEqual(maxAttempts)
          for (const call of calls) {
            expect(call.at - start).toBeLessThan(deadlineMs)
          }
          const error = result.reason as TooManyRetriesError
          expect(error).toBeInstanceOf(TooManyRetriesError)
          expect(['attempts', 'deadline']).toContain(error.reason)
          expect(error.attempts).toBe(calls.length)
          // Attempts cut short (by timeoutMs or the deadline) had their signals aborted with the
          // TimeoutError they failed with.
          for (const [index, attemptError] of error.errors.entries()) {
            if (attemptError instanceof TimeoutError) {
              expect(calls[index]!.signal.reason).toBe(attemptError)
            } else {
              expect(calls[index]!.signal.aborted).toBe(false)
            }
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})
