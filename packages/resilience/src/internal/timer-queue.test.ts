import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { cancel, pendingTimers, schedule } from './timer-queue.js'

beforeEach(() => {
  // A fresh fake clock at 0 each test; the queue notices the new setTimeout and starts afresh.
  vi.useFakeTimers()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('timer queue', () => {
  it('fires many timers of several durations in expiry order, each at its exact time', () => {
    const fired: Array<[string, number]> = []
    const plan: Array<[startAt: number, delayMs: number]> = [
      [0, 300],
      [0, 301],
      [0, 100],
      [0, 250],
      [5, 100],
      [5, 1000],
      [10, 7],
      [20, 300],
      [20, 1],
      [30, 100],
      [40, 55],
    ]
    for (const [startAt, delayMs] of plan) {
      vi.advanceTimersByTime(startAt - performance.now())
      const name = `${startAt}+${delayMs}`
      schedule(delayMs, () => fired.push([name, performance.now()]))
    }
    // Now t = 40: 10+7 (due at 17) and 20+1 (due at 21) have fired already.
    expect(fired).toEqual([
      ['10+7', 17],
      ['20+1', 21],
    ])
    expect(pendingTimers()).toBe(plan.length - 2)
    // However many entries wait, the queue holds a single real (here: fake) timer.
    expect(vi.getTimerCount()).toBe(1)

    vi.advanceTimersByTime(2000)

    const expected = plan
      .map(([startAt, delayMs]): [string, number] => [`${startAt}+${delayMs}`, startAt + delayMs])
      .sort((a, b) => a[1] - b[1])
    expect(fired).toEqual(expected)
    expect(pendingTimers()).toBe(0)
  })

  it('entries of one duration fire in the order they were scheduled', () => {
    const fired: number[] = []
    for (let index = 0; index < 50; index++) {
      schedule(100, () => fired.push(index))
    }
    vi.advanceTimersByTime(99)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual(Array.from({ length: 50 }, (_, index) => index))
  })

  it('cancelled entries never fire, and pendingTimers() returns to 0', () => {
    const fired: number[] = []
    const entries = Array.from({ length: 100 }, (_, index) => schedule(10 + (index % 7) * 10, () => fired.push(index)))
    expect(pendingTimers()).toBe(100)
    for (const [index, entry] of entries.entries()) {
      if (index % 2 === 0) {
        cancel(entry)
      }
    }
    expect(pendingTimers()).toBe(50)
    expect(entries[0]?.done).toBe(true)

    vi.advanceTimersByTime(100)
    expect(fired.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => 2 * index + 1))
    expect(pendingTimers()).toBe(0)
    expect(entries.every((entry) => entry.done)).toBe(true)

    // Cancelling again, or after firing, changes nothing.
    for (const entry of entries) {
      cancel(entry)
    }
    expect(pendingTimers()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cancelling the earliest entry leaves the later ones to fire on time', () => {
    const fired: Array<[string, number]> = []
    const early = schedule(10, () => fired.push(['early', performance.now()]))
    schedule(30, () => fired.push(['late', performance.now()]))
    cancel(early)
    vi.advanceTimersByTime(100)
    expect(fired).toEqual([['late', 30]])
  })

  it('an entry scheduled after a later one fires first, at its own time', () => {
    const fired: Array<[string, number]> = []
    schedule(1000, () => fired.push(['long', performance.now()]))
    vi.advanceTimersByTime(100)
    schedule(10, () => fired.push(['short', performance.now()]))
    vi.advanceTimersByTime(2000)
    expect(fired).toEqual([
      ['short', 110],
      ['long', 1000],
    ])
  })

  it('a callback may schedule further timers, which fire at their own exact times', () => {
    const fired: number[] = []
    const tick = (): void => {
      fired.push(performance.now())
      if (fired.length < 5) {
        schedule(fired.length * 10, tick)
      }
    }
    schedule(5, tick)
    vi.advanceTimersByTime(1000)
    expect(fired).toEqual([5, 15, 35, 65, 105])
    expect(pendingTimers()).toBe(0)
  })

  it('a callback may cancel another entry that is due at the same moment', () => {
    const fired: string[] = []
    schedule(50, () => {
      fired.push('first')
      cancel(second)
    })
    const second = schedule(50, () => fired.push('second'))
    schedule(50, () => fired.push('third'))
    vi.advanceTimersByTime(50)
    expect(fired).toEqual(['first', 'third'])
    expect(pendingTimers()).toBe(0)
  })

  it('keeps the shared timer ref’d only while a live entry waits, so idle timers never hold the process open', () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout')
    const first = schedule(100, () => {})
    expect(setTimer).toHaveBeenCalledTimes(1)
    const handle = setTimer.mock.results[0]?.value as NodeJS.Timeout
    expect(handle.hasRef()).toBe(true)

    cancel(first)
    expect(handle.hasRef()).toBe(false)

    // A later entry reuses the armed timer and refs it again.
    const second = schedule(200, () => {})
    expect(setTimer).toHaveBeenCalledTimes(1)
    expect(handle.hasRef()).toBe(true)

    // At t = 100 the timer finds nothing due and re-arms for the entry due at 200.
    vi.advanceTimersByTime(100)
    expect(setTimer).toHaveBeenCalledTimes(2)
    const rearmed = setTimer.mock.results[1]?.value as NodeJS.Timeout
    expect(rearmed.hasRef()).toBe(true)
    cancel(second)
    expect(rearmed.hasRef()).toBe(false)
    expect(pendingTimers()).toBe(0)
  })

  it('fires an entry beyond the 2^31-1 ms setTimeout limit at its exact time, not early', () => {
    const delayMs = 2 ** 31 + 5000
    const fired = vi.fn<(at: number) => void>()
    schedule(delayMs, () => fired(performance.now()))
    vi.advanceTimersByTime(2 ** 31 - 1)
    expect(fired).not.toHaveBeenCalled()
    vi.advanceTimersByTime(5000)
    expect(fired).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fired).toHaveBeenCalledExactlyOnceWith(delayMs)
  })

  it('starts afresh under a new timer implementation: entries of the old one are dropped', () => {
    const old = vi.fn()
    schedule(100, old)
    expect(pendingTimers()).toBe(1)
    vi.useRealTimers()
    vi.useFakeTimers()

    const current = vi.fn()
    schedule(100, current)
    expect(pendingTimers()).toBe(1)
    vi.advanceTimersByTime(100)
    expect(current).toHaveBeenCalledTimes(1)
    expect(old).not.toHaveBeenCalled()
    expect(pendingTimers()).toBe(0)
  })

  it('a timer armed under the previous timer implementation cannot fire entries scheduled after the switch', () => {
    // Stand-ins for the timers in place before this test's fake ones (real timers, say): a
    // setTimeout whose callback runs when the test says its time has come, unless it was cleared.
    interface ManualTimer {
      readonly callback: () => void
      cleared: boolean
      ref(): ManualTimer
      unref(): ManualTimer
    }
    const manual: ManualTimer[] = []
    const fakeSetTimeout = globalThis.setTimeout
    const fakeClearTimeout = globalThis.clearTimeout
    const manualSetTimeout = (callback: () => void): ManualTimer => {
      const timer: ManualTimer = { callback, cleared: false, ref: () => timer, unref: () => timer }
      manual.push(timer)
      return timer
    }
    const manualClearTimeout = (timer: ManualTimer | undefined): void => {
      if (timer !== undefined) {
        timer.cleared = true
      }
    }

    globalThis.setTimeout = manualSetTimeout as unknown as typeof setTimeout
    globalThis.clearTimeout = manualClearTimeout as unknown as typeof clearTimeout
    try {
      cancel(schedule(50, () => {}))
    } finally {
      globalThis.setTimeout = fakeSetTimeout
      globalThis.clearTimeout = fakeClearTimeout
    }
    expect(manual).toHaveLength(1)

    const fired = vi.fn<(at: number) => void>()
    schedule(1000, () => fired(performance.now()))
    // 50 ms later the old timer comes due, unless the queue cleared it when it started afresh.
    vi.advanceTimersByTime(50)
    for (const timer of manual) {
      if (!timer.cleared) {
        timer.callback()
      }
    }
    expect(fired).not.toHaveBeenCalled()
    vi.advanceTimersByTime(950)
    expect(fired).toHaveBeenCalledExactlyOnceWith(1000)
  })
})
