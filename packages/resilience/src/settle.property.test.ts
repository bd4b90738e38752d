import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { TimeoutError } from './errors/timeout-error.js'
import { settle } from './settle.js'
import { abortableResolveAfter, rejectAfter, resolveAfter, track } from './test-support/retry-helpers.js'
import type { ExecutionContext } from './types.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/**
 * One generated call. Delays are odd and timeouts even, so a call never finishes in the very tick
 * its timeout fires (that race is pinned down deterministically in settle.test.ts).
 */
const callArbitrary = fc.record({
  delayMs: fc.integer({ min: 0, max: 200 }).map((n) => 2 * n + 1),
  fails: fc.boolean(),
  honoursSignal: fc.boolean(),
})

const timeoutArbitrary = fc.integer({ min: 1, max: 200 }).map((n) => 2 * n)

describe('settle (properties)', () => {
  it('never waits past its timeout: settles at min(slowest call, timeoutMs), each outcome matching whether its delay was below the timeout', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callArbitrary, { maxLength: 6 }), timeoutArbitrary, async (specs, timeoutMs) => {
        const start = performance.now()
        const signals: AbortSignal[] = []
        const errors = specs.map((_spec, index) => new Error(`call ${index}`))
        const calls: Record<string, (context: ExecutionContext) => Promise<unknown>> = {}
        for (const [index, spec] of specs.entries()) {
          calls[`c${index}`] = (context) => {
            signals[index] = context.signal
            if (spec.fails) {
              return rejectAfter(spec.delayMs, errors[index])
            }
            return spec.honoursSignal
              ? abortableResolveAfter(spec.delayMs, index, context.signal)
              : resolveAfter(spec.delayMs, index)
          }
        }

        const result = track(settle(calls, { timeoutMs }))
        await vi.advanceTimersByTimeAsync(400)

        const slowest = specs.reduce((max, spec) => Math.max(max, spec.delayMs), 0)
        const expectedAt = specs.length === 0 ? 0 : Math.min(slowest, timeoutMs)
        expect(result.state).toBe('fulfilled')
        expect(result.at! - start).toBe(expectedAt)
        const outcomes = result.value!
        expect(Object.keys(outcomes)).toEqual(Object.keys(calls))
        for (const [index, spec] of specs.entries()) {
          const outcome = outcomes[`c${index}`]
          const signal = signals[index]!
          if (spec.delayMs < timeoutMs) {
            expect(outcome).toEqual(
              spec.fails ? { status: 'rejected', reason: errors[index] } : { status: 'fulfilled', value: index },
            )
            expect(signal.aborted).toBe(false)
          } else {
            expect(outcome).toEqual({ status: 'timeout' })
            expect(signal.aborted).toBe(true)
            expect(signal.reason).toBeInstanceOf(TimeoutError)
            expect((signal.reason as TimeoutError).timeoutMs).toBe(timeoutMs)
          }
        }
        await vi.runAllTimersAsync()
      }),
      { numRuns: 100 },
    )
  })

  it('a caller abort before the end rejects at that moment with its reason and aborts exactly the calls still running', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArbitrary, { minLength: 1, maxLength: 6 }),
        // Timeouts are multiples of 4 and abort times 2 more than one, so neither ties with the
        // other nor with a call's (odd) delay.
        fc.integer({ min: 1, max: 100 }).map((n) => 4 * n),
        fc.integer({ min: 0, max: 100 }).map((n) => 4 * n + 2),
        async (specs, timeoutMs, abortAt) => {
          const start = performance.now()
          const controller = new AbortController()
          const reason = new Error('caller gone')
          const signals: AbortSignal[] = []
          const calls: Record<string, (context: ExecutionContext) => Promise<unknown>> = {}
          for (const [index, spec] of specs.entries()) {
            calls[`c${index}`] = (context) => {
              signals[index] = context.signal
              return resolveAfter(spec.delayMs, index)
            }
          }
          const result = track(settle(calls, { timeoutMs, signal: controller.signal }))
          setTimeout(() => controller.abort(reason), abortAt)
          await vi.advanceTimersByTimeAsync(400)

          const slowest = specs.reduce((max, spec) => Math.max(max, spec.delayMs), 0)
          const end = Math.min(slowest, timeoutMs)
          if (abortAt < end) {
            expect(result.state).toBe('rejected')
            expect(result.reason).toBe(reason)
            expect(result.at! - start).toBe(abortAt)
            for (const [index, spec] of specs.entries()) {
              expect(signals[index]!.aborted).toBe(spec.delayMs > abortAt)
              if (spec.delayMs > abortAt) {
                expect(signals[index]!.reason).toBe(reason)
              }
            }
          } else {
            expect(result.state).toBe('fulfilled')
            expect(result.at! - start).toBe(end)
          }
          await vi.runAllTimersAsync()
        },
      ),
      { numRuns: 100 },
    )
  })
})
