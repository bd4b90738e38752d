import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { DEADLINE_HEADER, Deadline } from './deadline.js'
import { TimeoutError } from './errors/timeout-error.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('Deadline.after / remainingMs / expired', () => {
  it('expires ms after creation on the monotonic clock, counting down exactly and never below 0', async () => {
    await vi.advanceTimersByTimeAsync(1_000)
    const deadline = Deadline.after(300)
    expect(deadline.expiresAt).toBe(1_300)
    expect(deadline.timeoutMs).toBe(300)
    expect(deadline.remainingMs()).toBe(300)
    expect(deadline.expired).toBe(false)

    await vi.advanceTimersByTimeAsync(120)
    expect(deadline.remainingMs()).toBe(180)
    await vi.advanceTimersByTimeAsync(179)
    expect(deadline.remainingMs()).toBe(1)
    expect(deadline.expired).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(deadline.remainingMs()).toBe(0)
    expect(deadline.expired).toBe(true)
    await vi.advanceTimersByTimeAsync(500)
    expect(deadline.remainingMs()).toBe(0)
    expect(deadline.expired).toBe(true)
  })

  it('does not move when the wall clock jumps', async () => {
    const deadline = Deadline.after(100)
    vi.setSystemTime(Date.now() + 60_000)
    expect(deadline.remainingMs()).toBe(100)
    expect(deadline.expired).toBe(false)
  })

  it.each([0, -50])('is expired at once for after(%i), with 0 ms left', (ms) => {
    const deadline = Deadline.after(ms)
    expect(deadline.expired).toBe(true)
    expect(deadline.remainingMs()).toBe(0)
    expect(deadline.timeoutMs).toBe(ms)
  })

  it('refuses NaN with RangeError', () => {
    expect(() => Deadline.after(Number.NaN)).toThrow(RangeError)
  })
})

describe('Deadline.within / earliest', () => {
  it('within(ms) returns a new, sooner deadline when ms ends first, else the same deadline', async () => {
    const outer = Deadline.after(1_000)
    await vi.advanceTimersByTimeAsync(100)
    const inner = outer.within(200)
    expect(inner).not.toBe(outer)
    expect(inner.expiresAt).toBe(300)
    expect(inner.timeoutMs).toBe(200)
    expect(outer.within(900)).toBe(outer)
    expect(outer.within(5_000)).toBe(outer)
  })

  it('earliest picks the deadline that ends first, ignoring a missing one', async () => {
    const late = Deadline.after(500)
    const soon = Deadline.after(200)
    expect(Deadline.earliest(late, soon)).toBe(soon)
    expect(Deadline.earliest(soon, late)).toBe(soon)
    expect(Deadline.earliest(undefined, late)).toBe(late)
    expect(Deadline.earliest(late, undefined)).toBe(late)
    expect(Deadline.earliest(undefined, undefined)).toBeUndefined()
    const twin = Deadline.after(200)
    expect(Deadline.earliest(soon, twin)).toBe(soon)
  })
})

describe('Deadline headers', () => {
  it('names the header x-request-timeout-ms', () => {
    expect(DEADLINE_HEADER).toBe('x-request-timeout-ms')
  })

  it('toHeader gives the remaining budget in whole milliseconds, rounded down, and "0" once expired', async () => {
    const deadline = Deadline.after(1_000.9)
    expect(deadline.toHeader()).toBe('1000')
    await vi.advanceTimersByTimeAsync(250)
    expect(deadline.toHeader()).toBe('750')
    await vi.advanceTimersByTimeAsync(2_000)
    expect(deadline.toHeader()).toBe('0')
  })

  it('fromHeader reads a whole number of milliseconds into a deadline that far from now', async () => {
    await vi.advanceTimersByTimeAsync(42)
    const deadline = Deadline.fromHeader('250')!
    expect(deadline).toBeInstanceOf(Deadline)
    expect(deadline.expiresAt).toBe(292)
    expect(deadline.remainingMs()).toBe(250)
    expect(Deadline.fromHeader(' 250 ')!.remainingMs()).toBe(250)
    expect(Deadline.fromHeader(['300', '999'])!.remainingMs()).toBe(300)
    const zero = Deadline.fromHeader('0')!
    expect(zero.expired).toBe(true)
  })

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['negative', '-1'],
    ['a fraction', '1.5'],
    ['exponent notation', '1e3'],
    ['hexadecimal', '0x10'],
    ['with a unit', '100ms'],
    ['text', 'soon'],
    ['Infinity', 'Infinity'],
    ['11 digits', '12345678901'],
    ['two values joined', '100, 200'],
    ['an empty list', []],
  ])('fromHeader returns undefined for a malformed value: %s', (_label, value) => {
    expect(Deadline.fromHeader(value as string | string[] | null | undefined)).toBeUndefined()
  })

  it('fromHeader caps the budget at maxMs, so a caller can never extend its budget past it', () => {
    expect(Deadline.fromHeader('5000', { maxMs: 1_000 })!.remainingMs()).toBe(1_000)
    expect(Deadline.fromHeader('5000', { maxMs: 1_000 })!.timeoutMs).toBe(1_000)
    expect(Deadline.fromHeader('400', { maxMs: 1_000 })!.remainingMs()).toBe(400)
    expect(Deadline.fromHeader('1000', { maxMs: 1_000 })!.remainingMs()).toBe(1_000)
    expect(Deadline.fromHeader('9999999999', { maxMs: 30_000 })!.remainingMs()).toBe(30_000)
  })

  it('round-trips between two services: toHeader then fromHeader gives a deadline within 1 ms, never later', async () => {
    // Service A got a 1000.7 ms budget and spent 123 ms before calling service B.
    const serviceA = Deadline.after(1_000.7)
    await vi.advanceTimersByTimeAsync(123)
    const header = serviceA.toHeader()
    expect(header).toBe('877')
    // Service B reads the header when the request arrives (no transit time on a fake clock).
    const serviceB = Deadline.fromHeader(header)!
    const gap = serviceA.expiresAt - serviceB.expiresAt
    expect(gap).toBeGreaterThanOrEqual(0)
    expect(gap).toBeLessThan(1)
    // And back again, from B to a service C.
    await vi.advanceTimersByTimeAsync(77)
    const serviceC = Deadline.fromHeader(serviceB.toHeader())!
    expect(serviceB.expiresAt - serviceC.expiresAt).toBeGreaterThanOrEqual(0)
    expect(serviceB.expiresAt - serviceC.expiresAt).toBeLessThan(1)
    expect(serviceC.remainingMs()).toBe(800)
  })
})

describe('Deadline.signal', () => {
  it('aborts with a TimeoutError carrying the budget exactly when the deadline passes', async () => {
    const deadline = Deadline.after(250)
    const signal = deadline.signal
    expect(signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(249)
    expect(signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBeInstanceOf(TimeoutError)
    expect((signal.reason as TimeoutError).timeoutMs).toBe(250)
  })

  it('is created on first read, then the same signal on every read', async () => {
    const deadline = Deadline.after(100)
    expect(vi.getTimerCount()).toBe(0)
    const signal = deadline.signal
    expect(vi.getTimerCount()).toBe(1)
    expect(deadline.signal).toBe(signal)
    expect(vi.getTimerCount()).toBe(1)
  })

  it('is already aborted when first read after expiry', async () => {
    const deadline = Deadline.after(50)
    await vi.advanceTimersByTimeAsync(60)
    const signal = deadline.signal
    expect(signal.aborted).toBe(true)
    expect((signal.reason as TimeoutError).timeoutMs).toBe(50)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('fires an abort listener added before expiry once, at expiry', async () => {
    const deadline = Deadline.after(80)
    const listener = vi.fn()
    deadline.signal.addEventListener('abort', listener)
    await vi.advanceTimersByTimeAsync(79)
    expect(listener).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('does not abort early for a deadline beyond setTimeout\'s 2^31-1 ms limit (e.g. a 10-digit header)', async () => {
    const deadline = Deadline.fromHeader('9999999999')!
    const signal = deadline.signal
    await vi.advanceTimersByTimeAsync(10)
    expect(signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(2 ** 31)
    expect(signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(9_999_999_999 - 10 - 2 ** 31 - 1)
    expect(signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(signal.aborted).toBe(true)
    expect((signal.reason as TimeoutError).timeoutMs).toBe(9_999_999_999)
  })
})

describe('Deadline.onExpired', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('calls the listener once, when the deadline passes', async () => {
    const deadline = Deadline.after(200)
    const listener = vi.fn()
    deadline.onExpired(listener)
    await vi.advanceTimersByTimeAsync(199)
    expect(listener).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(listener).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('never calls a listener that was stopped first', async () => {
    const deadline = Deadline.after(100)
    const listener = vi.fn()
    const stop = deadline.onExpired(listener)
    stop()
    stop()
    await vi.advanceTimersByTimeAsync(500)
    expect(listener).not.toHaveBeenCalled()
  })

  it('calls the listener at once (on the next tick) for a deadline already past', async () => {
    const listener = vi.fn()
    Deadline.after(-5).onExpired(listener)
    expect(listener).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(0)
    expect(listener).toHaveBeenCalledTimes(1)
  })
})
