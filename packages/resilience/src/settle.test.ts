import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Deadline } from './deadline.js'
import { TimeoutError } from './errors/timeout-error.js'
import { pendingTimers } from './internal/timer-queue.js'
import { type SettleOutcome, settle } from './settle.js'
import {
  abortableResolveAfter,
  never,
  recorder,
  rejectAfter,
  resolveAfter,
  track,
} from './test-support/retry-helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('settle', () => {
  it('starts every call at once, each with attempt 1 and a signal of its own', async () => {
    const a = recorder(() => resolveAfter(30, 'a'))
    const b = recorder(() => resolveAfter(60, 'b'))
    const result = track(settle({ a: a.fn, b: b.fn }, { timeoutMs: 1_000 }))
    expect(a.calls).toHaveLength(1)
    expect(b.calls).toHaveLength(1)
    expect(a.calls[0]!.at).toBe(0)
    expect(b.calls[0]!.at).toBe(0)
    expect(a.calls[0]!.attempt).toBe(1)
    expect(a.calls[0]!.signal).not.toBe(b.calls[0]!.signal)
    await vi.advanceTimersByTimeAsync(60)
    expect(result.state).toBe('fulfilled')
  })

  it('resolves as soon as the last call finishes, with every fulfilled and rejected outcome, aborting nothing', async () => {
    const failure = new Error('cart down')
    const products = recorder(() => resolveAfter(30, ['p1', 'p2']))
    const cart = recorder(() => rejectAfter(70, failure))
    const result = track(settle({ products: products.fn, cart: cart.fn }, { timeoutMs: 1_000 }))

    await vi.advanceTimersByTimeAsync(69)
    expect(result.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)

    expect(result.at).toBe(70)
    expect(result.value).toEqual({
      products: { status: 'fulfilled', value: ['p1', 'p2'] },
      cart: { status: 'rejected', reason: failure },
    })
    expect(result.value!.cart).toEqual({ status: 'rejected', reason: failure })
    expect((result.value!.cart as { reason: unknown }).reason).toBe(failure)
    expect(products.calls[0]!.signal.aborted).toBe(false)
    expect(cart.calls[0]!.signal.aborted).toBe(false)
    expect(pendingTimers()).toBe(0)
  })

  it('at timeoutMs aborts the stragglers with a TimeoutError and reports them as timeout, keeping the finished outcomes', async () => {
    const failure = new Error('reviews failed')
    const fast = recorder(() => resolveAfter(10, 'fast'))
    const failing = recorder(() => rejectAfter(20, failure))
    const slow = recorder((context) => abortableResolveAfter(500, 'slow', context.signal))
    const hung = recorder(() => never())
    const result = track(
      settle({ fast: fast.fn, failing: failing.fn, slow: slow.fn, hung: hung.fn }, { timeoutMs: 100 }),
    )

    await vi.advanceTimersByTimeAsync(99)
    expect(result.state).toBe('pending')
    expect(slow.calls[0]!.signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)

    expect(result.state).toBe('fulfilled')
    expect(result.at).toBe(100)
    expect(result.value).toEqual({
      fast: { status: 'fulfilled', value: 'fast' },
      failing: { status: 'rejected', reason: failure },
      slow: { status: 'timeout' },
      hung: { status: 'timeout' },
    })
    for (const straggler of [slow, hung]) {
      const signal = straggler.calls[0]!.signal
      expect(signal.aborted).toBe(true)
      expect(signal.reason).toBeInstanceOf(TimeoutError)
      expect((signal.reason as TimeoutError).timeoutMs).toBe(100)
    }
    expect(fast.calls[0]!.signal.aborted).toBe(false)
    expect(failing.calls[0]!.signal.aborted).toBe(false)
  })

  it('never rejects because a call failed, even when every call fails', async () => {
    const e1 = new Error('one')
    const e2 = new Error('two')
    const result = track(
      settle(
        {
          one: () => Promise.reject(e1),
          two: () => {
            throw e2
          },
        },
        { timeoutMs: 100 },
      ),
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state).toBe('fulfilled')
    expect(result.at).toBe(0)
    expect(result.value).toEqual({ one: { status: 'rejected', reason: e1 }, two: { status: 'rejected', reason: e2 } })
  })

  it('takes synchronous values as fulfilled outcomes', async () => {
    await expect(settle({ n: () => 7, s: () => 'x' }, { timeoutMs: 100 })).resolves.toEqual({
      n: { status: 'fulfilled', value: 7 },
      s: { status: 'fulfilled', value: 'x' },
    })
  })

  it('keeps the result it returned when a straggler finishes later', async () => {
    const result = track(settle({ late: () => resolveAfter(300, 'late') }, { timeoutMs: 100 }))
    await vi.advanceTimersByTimeAsync(300)
    expect(result.value).toEqual({ late: { status: 'timeout' } })
  })

  it('resolves an empty record with an empty record at once, scheduling no timer', async () => {
    const result = track(settle({}, { timeoutMs: 100 }))
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state).toBe('fulfilled')
    expect(result.value).toEqual({})
    expect(result.at).toBe(0)
    expect(pendingTimers()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  describe('timeout racing completion in the same tick', () => {
    it('reports timeout for a call that finishes at timeoutMs after the timer fired', async () => {
      // The shared timer was armed (by an earlier call) before this call's work set its own
      // timer, so at t=100 the timeout fires first and the call has not settled yet.
      const earlier = track(settle({ x: () => never() }, { timeoutMs: 100 }))
      const { calls, fn } = recorder(() => resolveAfter(100, 'same tick'))
      const result = track(settle({ x: fn }, { timeoutMs: 100 }))
      await vi.advanceTimersByTimeAsync(100)
      expect(earlier.value).toEqual({ x: { status: 'timeout' } })
      expect(result.value).toEqual({ x: { status: 'timeout' } })
      expect(calls[0]!.signal.reason).toBeInstanceOf(TimeoutError)
    })

    it('reports fulfilled for a call that finished at timeoutMs before the timer fired', async () => {
      // settle starts the calls before it sets its timer, so their same-time timers fire first.
      const { calls, fn } = recorder(() => resolveAfter(100, 'same tick'))
      const result = track(settle({ x: fn }, { timeoutMs: 100 }))
      await vi.advanceTimersByTimeAsync(100)
      expect(result.value).toEqual({ x: { status: 'fulfilled', value: 'same tick' } })
      expect(calls[0]!.signal.aborted).toBe(false)
    })
  })

  describe('caller signal', () => {
    it('rejects at once with the reason of a signal aborted before the call, starting nothing', async () => {
      const controller = new AbortController()
      const reason = new Error('gone')
      controller.abort(reason)
      const fn = vi.fn(() => 1)
      await expect(settle({ a: fn }, { timeoutMs: 100, signal: controller.signal })).rejects.toBe(reason)
      expect(fn).not.toHaveBeenCalled()
    })

    it('rejects with the caller\'s reason when aborted mid-wait, aborting the stragglers with it', async () => {
      const controller = new AbortController()
      const reason = new Error('gone')
      const done = recorder(() => resolveAfter(10, 'done'))
      const hung = recorder(() => never())
      const result = track(settle({ done: done.fn, hung: hung.fn }, { timeoutMs: 100, signal: controller.signal }))
      await vi.advanceTimersByTimeAsync(40)
      controller.abort(reason)
      await vi.advanceTimersByTimeAsync(0)
      expect(result.state).toBe('rejected')
      expect(result.reason).toBe(reason)
      expect(result.at).toBe(40)
      expect(hung.calls[0]!.signal.aborted).toBe(true)
      expect(hung.calls[0]!.signal.reason).toBe(reason)
      expect(done.calls[0]!.signal.aborted).toBe(false)
      expect(pendingTimers()).toBe(0)
    })

    it('ignores a caller abort that comes after it resolved', async () => {
      const controller = new AbortController()
      const { calls, fn } = recorder(() => resolveAfter(10, 'v'))
      const result = track(settle({ a: fn }, { timeoutMs: 100, signal: controller.signal }))
      await vi.advanceTimersByTimeAsync(10)
      controller.abort(new Error('late'))
      await vi.advanceTimersByTimeAsync(0)
      expect(result.value).toEqual({ a: { status: 'fulfilled', value: 'v' } })
      expect(calls[0]!.signal.aborted).toBe(false)
    })
  })

  it('waits no longer than a deadline that ends before timeoutMs', async () => {
    const deadline = Deadline.after(60)
    const { calls, fn } = recorder(() => never())
    const result = track(settle({ a: fn }, { timeoutMs: 1_000, deadline }))
    await vi.advanceTimersByTimeAsync(60)
    expect(result.value).toEqual({ a: { status: 'timeout' } })
    expect(result.at).toBe(60)
    expect(calls[0]!.signal.reason).toBeInstanceOf(TimeoutError)
    // The limit that hit is reported, as withTimeout and retry do under a deadline.
    expect((calls[0]!.signal.reason as TimeoutError).timeoutMs).toBe(60)
    expect(calls[0]!.context.deadline).toBe(deadline)
  })

  it.each([0, -10, Number.NaN])('throws RangeError synchronously for timeoutMs %s, starting nothing', (timeoutMs) => {
    const fn = vi.fn(() => 1)
    expect(() => settle({ a: fn }, { timeoutMs })).toThrow(RangeError)
    expect(fn).not.toHaveBeenCalled()
  })

  it('handles calls named like Object.prototype members (constructor, toString, __proto__) as plain names', async () => {
    const named: Record<string, () => Promise<unknown>> = {
      constructor: () => never(),
      toString: () => never(),
      hasOwnProperty: () => resolveAfter(10, 'own'),
    }
    const calls = Object.defineProperty(
      named,
      '__proto__',
      { value: () => never(), enumerable: true },
    )
    const signals = new Map<string, AbortSignal>()
    const wrapped = Object.fromEntries(
      Object.keys(calls).map((name) => [
        name,
        (context: { signal: AbortSignal }) => {
          signals.set(name, context.signal)
          return calls[name]!()
        },
      ]),
    )
    const result = track(settle(wrapped, { timeoutMs: 100 }))
    await vi.advanceTimersByTimeAsync(100)
    expect(result.state).toBe('fulfilled')
    const outcomes = result.value as Record<string, SettleOutcome<unknown>>
    expect(Object.keys(outcomes).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString'])
    expect(Object.getOwnPropertyDescriptor(outcomes, 'constructor')?.value).toEqual({ status: 'timeout' })
    expect(Object.getOwnPropertyDescriptor(outcomes, 'toString')?.value).toEqual({ status: 'timeout' })
    expect(Object.getOwnPropertyDescriptor(outcomes, '__proto__')?.value).toEqual({ status: 'timeout' })
    expect(Object.getOwnPropertyDescriptor(outcomes, 'hasOwnProperty')?.value).toEqual({
      status: 'fulfilled',
      value: 'own',
    })
    // Every straggler was really aborted.
    expect(signals.get('constructor')?.aborted).toBe(true)
    expect(signals.get('toString')?.aborted).toBe(true)
    expect(signals.get('__proto__')?.aborted).toBe(true)
    expect(signals.get('hasOwnProperty')?.aborted).toBe(false)
  })
})
