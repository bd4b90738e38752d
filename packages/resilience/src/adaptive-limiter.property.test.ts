import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { AdaptiveLimiter, type LimitPermit } from './adaptive-limiter.js'
import { LimitExceededError } from './errors/limit-exceeded-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import type { LimitAlgorithm } from './limit-algorithm.js'
import { type Deferred, deferred } from './test-support/breaker-helpers.js'

afterEach(() => {
  vi.useRealTimers()
})

type Op =
  | { readonly kind: 'start' }
  | { readonly kind: 'settle'; readonly index: number; readonly how: 'ok' | 'drop' | 'error' }
  | { readonly kind: 'advance'; readonly ms: number }

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'start' } as const), weight: 4 },
  {
    arbitrary: fc.record({ kind: fc.constant('settle' as const), index: fc.nat(), how: fc.constantFrom('ok' as const, 'drop' as const, 'error' as const) }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.constantFrom(0, 1, 100, 5001), fc.integer({ min: 0, max: 2000 })) }), weight: 3 },
)

const algorithmArbitrary: fc.Arbitrary<LimitAlgorithm> = fc.oneof(
  fc.constantFrom('gradient' as const, 'aimd' as const, 'vegas' as const),
  fc.record({
    kind: fc.constant('vegas' as const),
    alpha: fc.constantFrom(1, 3),
    beta: fc.constantFrom(6, 10),
    probeEvery: fc.integer({ min: 1, max: 50 }),
    smoothing: fc.constantFrom(0.1, 0.3, 1),
  }),
  fc.record({ kind: fc.constant('aimd' as const), latencyThresholdMs: fc.integer({ min: 1, max: 1000 }), backoffRatio: fc.constantFrom(0.5, 0.75, 0.9) }),
  fc.record({
    kind: fc.constant('gradient' as const),
    queueSize: fc.integer({ min: 0, max: 10 }),
    smoothing: fc.constantFrom(0.1, 0.2, 0.5, 1),
    tolerance: fc.constantFrom(1, 1.5, 2),
    longWindow: fc.integer({ min: 1, max: 100 }),
  }),
)

const boundsArbitrary = fc
  .tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 40 }))
  .map(([min, extra, initial]) => ({ min, max: min + extra, initial }))

/** Every limit the limiter took is a whole number within `[min, max]`. */
function expectWholeWithin(limits: readonly number[], bounds: { readonly min: number; readonly max: number }): void {
  for (const limit of limits) {
    expect(Number.isInteger(limit)).toBe(true)
    expect(limit).toBeGreaterThanOrEqual(bounds.min)
    expect(limit).toBeLessThanOrEqual(bounds.max)
  }
}

describe('AdaptiveLimiter invariants', () => {
  it('keeps the limit a whole number within [min, max], and never starts fn with the limit already in use', async () => {
    await fc.assert(
      fc.asyncProperty(boundsArbitrary, algorithmArbitrary, fc.array(opArbitrary, { maxLength: 80 }), async (bounds, algorithm, ops) => {
        vi.useFakeTimers()
        try {
          const limiter = new AdaptiveLimiter({ ...bounds, algorithm })
          const limits: number[] = [limiter.limit]
          limiter.onLimitChange((limit) => limits.push(limit))
          const pending: Array<Deferred<string>> = []
          const calls: Array<Promise<unknown>> = []
          let running = 0
          for (const op of ops) {
            if (op.kind === 'start') {
              const before = limiter.inflight
              const limit = limiter.limit
              let started = false
              const gate = deferred<string>()
              const call = limiter.execute(() => {
                started = true
                running++
                // In flight, itself included, never exceeds the limit that admitted it.
                expect(running).toBeLessThanOrEqual(limit)
                return gate.promise.finally(() => { running-- })
              })
              calls.push(call.catch((error: unknown) => error))
              if (before >= limit) {
                expect(started).toBe(false)
                await expect(call).rejects.toBeInstanceOf(LimitExceededError)
              } else {
                expect(started).toBe(true)
                pending.push(gate)
              }
            } else if (op.kind === 'settle') {
              const gate = pending.splice(op.index % Math.max(1, pending.length), 1)[0]
              if (op.how === 'ok') {
                gate?.resolve('ok')
              } else {
                gate?.reject(op.how === 'drop' ? new TimeoutError(1) : new Error('refused'))
              }
              await vi.advanceTimersByTimeAsync(0)
            } else {
              await vi.advanceTimersByTimeAsync(op.ms)
            }
            expect(limiter.inflight).toBe(running)
          }
          for (const gate of pending) {
            gate.resolve('ok')
          }
          await Promise.all(calls)
          expect(limiter.inflight).toBe(0)
          expectWholeWithin(limits, bounds)
        } finally {
          vi.useRealTimers()
        }
      }),
      { numRuns: 200 },
    )
  })

  it('counts a permit in flight from tryAcquire until its first release, drop or ignore, and never hands out more than the limit', async () => {
    const permitOp: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.constant({ kind: 'start' } as const), weight: 4 },
      {
        arbitrary: fc.record({ kind: fc.constant('settle' as const), index: fc.nat(), how: fc.constantFrom('ok' as const, 'drop' as const, 'error' as const) }),
        weight: 4,
      },
      { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2000 }) }), weight: 2 },
    )
    await fc.assert(
      fc.asyncProperty(boundsArbitrary, algorithmArbitrary, fc.array(permitOp, { maxLength: 80 }), fc.boolean(), async (bounds, algorithm, ops, settleTwice) => {
        vi.useFakeTimers()
        try {
          const limiter = new AdaptiveLimiter({ ...bounds, algorithm })
          const limits: number[] = [limiter.limit]
          limiter.onLimitChange((limit) => limits.push(limit))
          const held: LimitPermit[] = []
          for (const op of ops) {
            if (op.kind === 'start') {
              const limit = limiter.limit
              const full = limiter.inflight >= limit
              const permit = limiter.tryAcquire()
              expect(permit === undefined).toBe(full)
              if (permit !== undefined) {
                held.push(permit)
                expect(limiter.inflight).toBeLessThanOrEqual(limit)
              }
            } else if (op.kind === 'settle') {
              const permit = held.splice(op.index % Math.max(1, held.length), 1)[0]
              const settle = (): void => {
                if (op.how === 'ok') {
                  permit?.release()
                } else if (op.how === 'drop') {
                  permit?.drop()
                } else {
                  permit?.ignore()
                }
              }
              settle()
              if (settleTwice) {
                // A second settle of the same permit frees nothing more.
                settle()
                permit?.release()
              }
            } else {
              await vi.advanceTimersByTimeAsync(op.ms)
            }
            expect(limiter.inflight).toBe(held.length)
          }
          expectWholeWithin(limits, bounds)
        } finally {
          vi.useRealTimers()
        }
      }),
      { numRuns: 200 },
    )
  })
})
