import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { AdaptiveThrottle } from './adaptive-throttle.js'
import { ThrottledError } from './errors/throttled-error.js'

afterEach(() => {
  vi.useRealTimers()
})

type Op =
  | { readonly kind: 'call'; readonly ok: boolean; readonly draw: number }
  | { readonly kind: 'advance'; readonly ms: number }

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('call' as const), ok: fc.boolean(), draw: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 600 }) }), weight: 1 },
)

describe('AdaptiveThrottle invariants', () => {
  it('never refuses while requests <= k·accepts, and refuses exactly when the draw is under the probability', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 1.5, 2, 3),
        fc.integer({ min: 100, max: 5000 }),
        fc.array(opArbitrary, { maxLength: 60 }),
        async (k, windowMs, ops) => {
          vi.useFakeTimers()
          try {
            let draw = 0
            let draws = 0
            const throttle = new AdaptiveThrottle({ k, windowMs, random: () => { draws++; return draw } })
            for (const op of ops) {
              if (op.kind === 'advance') {
                vi.advanceTimersByTime(op.ms)
                continue
              }
              const { requests, accepts } = throttle
              const probability = throttle.probability
              expect(probability).toBeGreaterThanOrEqual(0)
              expect(probability).toBeLessThan(1)
              draw = op.draw
              const drawsBefore = draws
              const fn = vi.fn(() => (op.ok ? Promise.resolve('ok') : Promise.reject(new Error('503'))))
              const outcome = await throttle.execute(fn).then(() => 'ok', (error: unknown) => error)
              if (requests <= k * accepts) {
                expect(probability).toBe(0)
                expect(draws).toBe(drawsBefore)
                expect(fn).toHaveBeenCalledOnce()
              } else {
                expect(probability).toBeCloseTo((requests - k * accepts) / (requests + 1), 12)
                const refused = op.draw < probability
                expect(outcome instanceof ThrottledError).toBe(refused)
                expect(fn).toHaveBeenCalledTimes(refused ? 0 : 1)
              }
              expect(throttle.requests).toBe(requests + 1)
            }
          } finally {
            vi.useRealTimers()
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
