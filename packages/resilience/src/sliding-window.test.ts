import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { SlidingWindow } from './sliding-window.js'

beforeEach(() => {
  // The fake clock starts at 0, so bucket boundaries fall on multiples of windowMs / 10.
  vi.useFakeTimers()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

const internals = (window: SlidingWindow): { counts: Float64Array; totals: Float64Array } =>
  window as unknown as { counts: Float64Array; totals: Float64Array }

describe('SlidingWindow', () => {
  it('keeps independent counters per field', () => {
    const window = new SlidingWindow(1000, 3)
    window.add(0)
    window.add(0)
    window.add(1, 5)
    expect([window.total(0), window.total(1), window.total(2)]).toEqual([2, 5, 0])
    expect(window.windowMs).toBe(1000)
  })

  it('addBoth counts one event in two counters; lastTotal reads a counter as of the last rotation', () => {
    const window = new SlidingWindow(1000, 2)
    window.addBoth(0, 1)
    window.add(0)
    expect([window.total(0), window.lastTotal(1)]).toEqual([2, 1])
    vi.advanceTimersByTime(1000)
    // Not yet rotated: lastTotal still holds what left the window; total() rotates first.
    expect(window.lastTotal(1)).toBe(1)
    expect([window.total(0), window.lastTotal(1)]).toEqual([0, 0])
  })

  it('an event counts for between 0.9 and 1.0 windowMs, depending on where in its bucket it fell', () => {
    const window = new SlidingWindow(1000, 2)
    window.add(0) // t = 0: start of bucket [0, 100)
    vi.advanceTimersByTime(99)
    window.add(1) // t = 99: end of the same bucket
    vi.advanceTimersByTime(900) // t = 999
    expect([window.total(0), window.total(1)]).toEqual([1, 1])
    vi.advanceTimersByTime(1) // t = 1000: the bucket [0, 100) leaves the window
    expect([window.total(0), window.total(1)]).toEqual([0, 0])
  })

  it('drops only the buckets that left the window as time moves on', () => {
    const window = new SlidingWindow(1000, 1)
    const seen: number[] = []
    // One event per 100 ms bucket for 15 buckets, reading the total after each.
    for (let bucket = 0; bucket < 15; bucket++) {
      window.add(0)
      seen.push(window.total(0))
      vi.advanceTimersByTime(100)
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10, 10, 10])
    // Now t = 1500. At t = 1700 the window spans buckets 8..17: the events of buckets 5, 6 and 7
    // have left, those of 8..14 remain.
    vi.advanceTimersByTime(200)
    expect(window.total(0)).toBe(7)
  })

  it('a gap longer than the window empties it', () => {
    const window = new SlidingWindow(1000, 2)
    for (let index = 0; index < 10; index++) {
      window.add(0)
      window.add(1, 2)
      vi.advanceTimersByTime(100)
    }
    vi.advanceTimersByTime(25_000)
    expect([window.total(0), window.total(1)]).toEqual([0, 0])
    window.add(1)
    expect([window.total(0), window.total(1)]).toEqual([0, 1])
  })

  it('clear() forgets every counter', () => {
    const window = new SlidingWindow(500, 2)
    window.add(0, 3)
    vi.advanceTimersByTime(120)
    window.add(1, 4)
    window.clear()
    expect([window.total(0), window.total(1)]).toEqual([0, 0])
    window.add(0)
    expect([window.total(0), window.total(1)]).toEqual([1, 0])
  })

  it.each([0, -1, Number.NaN])('rejects windowMs %s with a RangeError', (windowMs) => {
    expect(() => new SlidingWindow(windowMs, 1)).toThrow(RangeError)
  })

  it('per-event cost stays flat as the window fills (opossum re-sorts its samples on each failure)', () => {
    const window = new SlidingWindow(60_000, 3)
    const { counts, totals } = internals(window)
    const clock = vi.spyOn(performance, 'now')
    /** Clock reads for one add and one total. */
    const readsPerEvent = (): number => {
      clock.mockClear()
      window.add(1)
      window.total(1)
      return clock.mock.calls.length
    }
    for (let index = 0; index < 10; index++) {
      window.add(index % 3)
    }
    const early = readsPerEvent()
    for (let index = 0; index < 100_000; index++) {
      window.add(index % 3)
    }
    const late = readsPerEvent()

    expect(early).toBe(2)
    expect(late).toBe(2)
    // The same two arrays, of the same size: ten buckets of three counters, plus three totals.
    expect(internals(window).counts).toBe(counts)
    expect(internals(window).totals).toBe(totals)
    expect(counts.length).toBe(30)
    expect(totals.length).toBe(3)
    expect(window.total(0) + window.total(1) + window.total(2)).toBe(100_012)
  })
})
