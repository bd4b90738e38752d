import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { AdaptiveThrottle } from './adaptive-throttle.js'
import { ThrottledError } from './errors/throttled-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import { pipeline } from './pipeline.js'
import { deferred, track } from './test-support/breaker-helpers.js'
import { timeoutPolicy } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

const fail = (): Promise<never> => Promise.reject(new Error('503'))
const succeed = (): Promise<string> => Promise.resolve('ok')

/** Runs `count` calls of `fn` one after another, swallowing their errors. */
async function calls(throttle: AdaptiveThrottle, count: number, fn: () => Promise<unknown>): Promise<void> {
  for (let index = 0; index < count; index++) {
    await throttle.execute(fn).catch(() => undefined)
  }
}

describe('AdaptiveThrottle', () => {
  it('refuses nothing, and draws no random number, while requests <= k·accepts', async () => {
    const random = vi.fn(() => 0)
    const throttle = new AdaptiveThrottle({ random })
    await calls(throttle, 5, succeed)
    // 5 accepts allow 10 requests: 5 failures bring requests to exactly k·accepts.
    await calls(throttle, 5, fail)
    expect([throttle.requests, throttle.accepts, throttle.probability]).toEqual([10, 5, 0])
    expect(random).not.toHaveBeenCalled()
  })

  it('refuses with probability (requests - k·accepts) / (requests + 1), without running fn', async () => {
    let draw = 0.5
    const throttle = new AdaptiveThrottle({ random: () => draw })
    await calls(throttle, 2, succeed)
    await calls(throttle, 4, fail)
    // 6 requests, 2 accepts: (6 - 4) / 7.
    expect(throttle.probability).toBeCloseTo(2 / 7, 12)
    draw = 2 / 7 - 1e-9
    const fn = vi.fn(succeed)
    const error = await throttle.execute(fn).catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error).toMatchObject({ code: 'RES_ERR_THROTTLED', probability: 2 / 7, message: 'Throttled locally (refusing 29% of calls)' })
    expect(fn).not.toHaveBeenCalled()
    // The refusal counted as a request: (7 - 4) / 8.
    expect([throttle.requests, throttle.accepts]).toEqual([7, 2])
    draw = 3 / 8
    await expect(throttle.execute(fn)).resolves.toBe('ok')
    expect(fn).toHaveBeenCalledOnce()
  })

  it('refuses most calls while the downstream accepts none, and none once accepts are back to one in k', async () => {
    let draw = 0.9
    const throttle = new AdaptiveThrottle({ random: () => draw })
    await calls(throttle, 19, fail)
    expect(throttle.probability).toBeCloseTo(19 / 20, 12)
    await expect(throttle.execute(succeed)).rejects.toBeInstanceOf(ThrottledError)
    // The downstream is back, and the draws let calls through: 20 requests need 10 more accepts
    // than failures, so 20 successes bring the probability back to 0.
    draw = 0.99
    await calls(throttle, 19, succeed)
    expect([throttle.requests, throttle.accepts]).toEqual([39, 19])
    expect(throttle.probability).toBeCloseTo(1 / 40, 12)
    await calls(throttle, 1, succeed)
    expect(throttle.probability).toBe(0)
  })

  it('refuses nothing while fewer than minRequests requests are counted, then follows the formula', async () => {
    const throttle = new AdaptiveThrottle({ minRequests: 10, random: () => 0 })
    await calls(throttle, 9, fail)
    expect([throttle.requests, throttle.probability]).toEqual([9, 0])
    await calls(throttle, 1, fail)
    expect(throttle.probability).toBe(10 / 11)
    await expect(throttle.execute(succeed)).rejects.toBeInstanceOf(ThrottledError)
  })

  it('forgets requests and accepts windowMs after they happened', async () => {
    const throttle = new AdaptiveThrottle({ windowMs: 1000, random: () => 0 })
    await calls(throttle, 3, fail)
    await expect(throttle.execute(succeed)).rejects.toBeInstanceOf(ThrottledError)
    vi.advanceTimersByTime(999)
    expect(throttle.requests).toBe(4)
    vi.advanceTimersByTime(1)
    expect([throttle.requests, throttle.probability]).toEqual([0, 0])
    await expect(throttle.execute(succeed)).resolves.toBe('ok')
  })

  it('counts an error isFailure refuses as an accept: the downstream answered', async () => {
    const throttle = new AdaptiveThrottle({ isFailure: (error) => !(error instanceof Error && error.message === '404') })
    await calls(throttle, 3, () => Promise.reject(new Error('404')))
    await calls(throttle, 1, fail)
    expect([throttle.requests, throttle.accepts]).toEqual([4, 3])
  })

  it('counts the caller’s abort as neither request nor accept, and rejects at once with its reason', async () => {
    const throttle = new AdaptiveThrottle()
    const controller = new AbortController()
    const gate = deferred<string>()
    const call = track(throttle.execute(() => gate.promise, { signal: controller.signal }))
    controller.abort('gone')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason: 'gone' })
    gate.resolve('late')
    await vi.advanceTimersByTimeAsync(0)
    const honouring = throttle.execute(({ signal }) => new Promise((_, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    }), { signal: AbortSignal.timeout(10) })
    await vi.advanceTimersByTimeAsync(10)
    await expect(honouring).rejects.toMatchObject({ name: 'TimeoutError' })
    await expect(throttle.execute(succeed, { signal: AbortSignal.abort('before') })).rejects.toBe('before')
    expect([throttle.requests, throttle.accepts]).toEqual([1, 1])
  })

  it('counts an abort as a failed request when isFailure says so', async () => {
    const throttle = new AdaptiveThrottle({ isFailure: (_, { callerAborted }) => callerAborted })
    const controller = new AbortController()
    const call = track(throttle.execute(({ signal }) => new Promise((_, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    }), { signal: controller.signal }))
    controller.abort('gone')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason: 'gone' })
    expect([throttle.requests, throttle.accepts]).toEqual([1, 0])
  })

  it('composes in a pipeline: a timeout inside it is a failed request, one outside it counts for nothing', async () => {
    const hang = ({ signal }: { signal: AbortSignal }): Promise<never> => new Promise((_, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    })
    const inner = new AdaptiveThrottle()
    const innerTimeout = track(pipeline(inner, timeoutPolicy(50)).execute(hang))
    const outer = new AdaptiveThrottle()
    const outerTimeout = track(pipeline(timeoutPolicy(50), outer).execute(hang))
    await vi.advanceTimersByTimeAsync(50)
    await expect(innerTimeout.promise).rejects.toBeInstanceOf(TimeoutError)
    await expect(outerTimeout.promise).rejects.toBeInstanceOf(TimeoutError)
    expect([inner.requests, inner.accepts]).toEqual([1, 0])
    expect([outer.requests, outer.accepts]).toEqual([0, 0])
  })

  it('defaults to k = 2 over two minutes, and rejects options it cannot honour', () => {
    expect(new AdaptiveThrottle()).toMatchObject({ k: 2, windowMs: 120_000 })
    expect(() => new AdaptiveThrottle({ k: 0.5 })).toThrow(RangeError)
    expect(() => new AdaptiveThrottle({ windowMs: 0 })).toThrow(RangeError)
  })
})
