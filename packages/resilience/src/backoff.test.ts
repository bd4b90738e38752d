import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { type BackoffOptions, backoffDelay } from './backoff.js'

afterEach(() => {
  vi.restoreAllMocks()
})

function exponential(intervalMs: number, maxIntervalMs: number, random?: () => number): BackoffOptions {
  return random === undefined
    ? { backoff: 'exponential', intervalMs, maxIntervalMs }
    : { backoff: 'exponential', intervalMs, maxIntervalMs, random }
}

describe('backoffDelay', () => {
  it('constant: always intervalMs, whatever the retry number, without drawing a random number', () => {
    const random = vi.fn(() => 0.5)
    const options: BackoffOptions = { backoff: 'constant', intervalMs: 250, maxIntervalMs: 100, random }
    expect([1, 2, 3, 10, 50].map((n) => backoffDelay(n, options))).toEqual([250, 250, 250, 250, 250])
    expect(random).not.toHaveBeenCalled()
  })

  it('exponential: floor(random * min(maxIntervalMs, intervalMs * 2^(n-1))), the cap applied to the ceiling', () => {
    const options = exponential(100, 1_000, () => 0.5)
    // Ceilings 100, 200, 400, 800, 1000 (capped from 1600), 1000 (capped from 3200).
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options))).toEqual([50, 100, 200, 400, 500, 500])
  })

  it('exponential full jitter spans [0, ceiling): 0 for random 0, ceiling - 1 for random just below 1', () => {
    expect(backoffDelay(4, exponential(100, 30_000, () => 0))).toBe(0)
    expect(backoffDelay(4, exponential(100, 30_000, () => 0.999_999))).toBe(799)
    expect(backoffDelay(9, exponential(100, 5_000, () => 0.999_999))).toBe(4_999)
  })

  it('exponential: calls the injected random once per delay', () => {
    const random = vi.fn(() => 0.25)
    const options = exponential(40, 30_000, random)
    expect(backoffDelay(1, options)).toBe(10)
    expect(backoffDelay(3, options)).toBe(40)
    expect(random).toHaveBeenCalledTimes(2)
  })

  it('exponential: uses Math.random when no random is injected', () => {
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0.75)
    expect(backoffDelay(2, exponential(100, 30_000))).toBe(150)
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('exponential: stays at the cap for retry numbers where 2^(n-1) overflows to Infinity', () => {
    expect(backoffDelay(1_100, exponential(100, 30_000, () => 0.5))).toBe(15_000)
  })

  it('exponential with intervalMs 0 never pauses, even where 2^(n-1) overflows (0 * Infinity is NaN)', () => {
    const options = exponential(0, 30_000, () => 0.5)
    expect(backoffDelay(1, options)).toBe(0)
    expect(backoffDelay(1_100, options)).toBe(0)
  })

  it('exponential: every delay is a whole number in [0, min(maxIntervalMs, intervalMs * 2^(n-1))) (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, intervalMs, maxIntervalMs, draw) => {
          const delay = backoffDelay(n, exponential(intervalMs, maxIntervalMs, () => draw))
          const ceiling = Math.min(maxIntervalMs, intervalMs * 2 ** (n - 1))
          expect(Number.isInteger(delay)).toBe(true)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThan(ceiling)
          expect(delay).toBe(Math.floor(draw * ceiling))
        },
      ),
      { numRuns: 200 },
    )
  })
})
