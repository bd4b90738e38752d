import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { AdaptiveLimiter, type AdaptiveLimiterOptions } from './adaptive-limiter.js'
import { LimitExceededError } from './errors/limit-exceeded-error.js'
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

/** A call that resolves after `ms` of fake time. */
const taking = (ms: number) => (): Promise<string> => new Promise((resolve) => setTimeout(() => { resolve('ok') }, ms))

/** A call that rejects with `error` after `ms` of fake time. */
const failingAfter = (ms: number, error: unknown) => (): Promise<never> =>
  new Promise((_, reject) => setTimeout(() => { reject(error) }, ms))

/** A limiter whose limit changes are recorded as `[limit, previous]` pairs. */
function recorded(options: AdaptiveLimiterOptions): { limiter: AdaptiveLimiter; changes: Array<[number, number]> } {
  const limiter = new AdaptiveLimiter(options)
  const changes: Array<[number, number]> = []
  limiter.onLimitChange((limit, previous) => changes.push([limit, previous]))
  return { limiter, changes }
}

/** Starts `count` calls of `ms` at once and waits until all have settled. */
async function batch(limiter: AdaptiveLimiter, count: number, ms: number): Promise<void> {
  const calls = Array.from({ length: count }, () => limiter.execute(taking(ms)))
  await vi.advanceTimersByTimeAsync(ms)
  await Promise.all(calls)
}

const aimd = { kind: 'aimd', latencyThresholdMs: 100 } as const

describe('AdaptiveLimiter admission', () => {
  it('runs calls while fewer than limit are in flight and refuses the next at once with LimitExceededError', async () => {
    const limiter = new AdaptiveLimiter({ initial: 3, algorithm: aimd })
    const gate = deferred<string>()
    const calls = [1, 2, 3].map(() => track(limiter.execute(() => gate.promise)))
    expect([limiter.inflight, limiter.limit]).toEqual([3, 3])
    const fn = vi.fn(() => 'never')

    const error = await limiter.execute(fn).catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(LimitExceededError)
    expect(error).toMatchObject({ code: 'RES_ERR_LIMIT_EXCEEDED', limit: 3 })
    expect(fn).not.toHaveBeenCalled()

    gate.resolve('done')
    await vi.advanceTimersByTimeAsync(0)
    expect(calls.map((call) => call.outcome)).toEqual(Array(3).fill({ status: 'fulfilled', value: 'done' }))
    expect(limiter.inflight).toBe(0)
    await expect(limiter.execute(() => 'after')).resolves.toBe('after')
  })

  it('frees the place of a call that throws synchronously or rejects', async () => {
    const limiter = new AdaptiveLimiter({ initial: 1, algorithm: aimd })
    await expect(limiter.execute(() => { throw new Error('sync') })).rejects.toThrow('sync')
    expect(limiter.inflight).toBe(0)
    await expect(limiter.execute(() => Promise.reject(new Error('async')))).rejects.toThrow('async')
    expect(limiter.inflight).toBe(0)
    await expect(limiter.execute(() => 'next')).resolves.toBe('next')
  })

  it('defaults to a limit of 20 within [1, 200], and clamps initial into [min, max]', () => {
    expect(new AdaptiveLimiter()).toMatchObject({ limit: 20, min: 1, max: 200, inflight: 0 })
    expect(new AdaptiveLimiter({ initial: 500, max: 50 }).limit).toBe(50)
    expect(new AdaptiveLimiter({ initial: 1, min: 5 }).limit).toBe(5)
    expect(new AdaptiveLimiter({ initial: 7.9 }).limit).toBe(7)
  })

  it('rejects options it cannot honour', () => {
    expect(() => new AdaptiveLimiter({ min: 0 })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ min: 5, max: 4 })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ max: 2.5 })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ initial: 0 })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'aimd', backoffRatio: 1 } })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'aimd', latencyThresholdMs: 0 } })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'gradient', smoothing: 0 } })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'gradient', tolerance: 0.9 } })).toThrow(RangeError)
  })
})

describe('AdaptiveLimiter permits', () => {
  it('hands out permits while fewer than limit are in flight, and undefined at once beyond', () => {
    const limiter = new AdaptiveLimiter({ initial: 2, algorithm: aimd })
    const first = limiter.tryAcquire()
    const second = limiter.tryAcquire()
    expect(first).toBeDefined()
    expect(second).toBeDefined()
    expect(limiter.inflight).toBe(2)
    expect(limiter.tryAcquire()).toBeUndefined()
    first?.ignore()
    expect(limiter.inflight).toBe(1)
    expect(limiter.tryAcquire()).toBeDefined()
  })

  it('samples the latency from acquire to release, as execute does', async () => {
    const { limiter, changes } = recorded({ initial: 4, max: 6, algorithm: aimd })
    const permits = [1, 2, 3, 4].map(() => limiter.tryAcquire())
    await vi.advanceTimersByTimeAsync(50)
    for (const permit of permits) {
      permit?.release()
    }
    // As in the AIMD test with execute: the first used less than half of 4 and teaches nothing.
    expect(changes).toEqual([[5, 4], [6, 5]])

    const slow = limiter.tryAcquire()
    await vi.advanceTimersByTimeAsync(101)
    slow?.release()
    expect(changes.at(-1)).toEqual([5, 6])
  })

  it('shrinks on drop, learns nothing from ignore, and counts only the first settle of a permit', async () => {
    const { limiter, changes } = recorded({ initial: 10, algorithm: { kind: 'aimd', backoffRatio: 0.5 } })
    const dropped = limiter.tryAcquire()
    dropped?.drop()
    dropped?.drop()
    dropped?.release()
    expect(changes).toEqual([[5, 10]])
    expect(limiter.inflight).toBe(0)

    const ignored = limiter.tryAcquire()
    await vi.advanceTimersByTimeAsync(5000)
    ignored?.ignore()
    ignored?.release()
    expect(changes).toEqual([[5, 10]])
    expect(limiter.inflight).toBe(0)
  })
})

describe('AdaptiveLimiter with AIMD', () => {
  it('adds 1 after a call within the threshold while half the limit is in use, up to max', async () => {
    const { limiter, changes } = recorded({ initial: 4, max: 6, algorithm: aimd })
    // Started with 1, 2, 3 and 4 in flight: the first used less than half of 4 and teaches nothing.
    await batch(limiter, 4, 50)
    expect(changes).toEqual([[5, 4], [6, 5]])
    expect(limiter.limit).toBe(6)
  })

  it('leaves the limit alone while less than half of it is in use', async () => {
    const { limiter, changes } = recorded({ initial: 10, algorithm: aimd })
    for (let round = 0; round < 3; round++) {
      await batch(limiter, 4, 50)
    }
    expect(changes).toEqual([])
  })

  it('multiplies the limit by 0.9 (rounded down) after a call slower than latencyThresholdMs', async () => {
    const { limiter, changes } = recorded({ initial: 10, algorithm: aimd })
    await batch(limiter, 1, 101)
    expect(changes).toEqual([[9, 10]])
    // Exactly at the threshold is still in time, but one call of ten in flight is too few to grow.
    await batch(limiter, 1, 100)
    expect(limiter.limit).toBe(9)
  })

  it('multiplies the limit by backoffRatio after a timeout, ours or AbortSignal.timeout()’s', async () => {
    const { limiter, changes } = recorded({ initial: 10, algorithm: { kind: 'aimd', backoffRatio: 0.5 } })
    const first = limiter.execute(failingAfter(5, new TimeoutError(5)))
    const second = limiter.execute(failingAfter(5, new DOMException('signal timed out', 'TimeoutError')))
    await vi.advanceTimersByTimeAsync(5)
    await expect(first).rejects.toBeInstanceOf(TimeoutError)
    await expect(second).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(changes).toEqual([[5, 10], [2, 5]])
  })

  it('learns nothing from other errors unless isDrop says they are drops', async () => {
    const plain = recorded({ initial: 10, algorithm: aimd })
    const notFound = plain.limiter.execute(failingAfter(500, new Error('404')))
    const custom = recorded({ initial: 10, algorithm: aimd, isDrop: (error) => error instanceof Error && error.message === '503' })
    const dropped = custom.limiter.execute(failingAfter(5, new Error('503')))
    const ignored = custom.limiter.execute(failingAfter(5, new TimeoutError(5)))
    await vi.advanceTimersByTimeAsync(500)
    await expect(notFound).rejects.toThrow('404')
    await expect(dropped).rejects.toThrow('503')
    await expect(ignored).rejects.toBeInstanceOf(TimeoutError)
    expect(plain.changes).toEqual([])
    expect(custom.changes).toEqual([[9, 10]])
  })

  it('never goes below min', async () => {
    const { limiter, changes } = recorded({ initial: 2, min: 2, algorithm: aimd })
    await batch(limiter, 2, 200)
    expect(limiter.limit).toBe(2)
    expect(changes).toEqual([])
  })
})

describe('AdaptiveLimiter with the gradient', () => {
  it('grows by queueSize per sample, smoothed, while latency holds steady', async () => {
    const { limiter, changes } = recorded({ initial: 10, max: 100, algorithm: { kind: 'gradient', queueSize: 2, smoothing: 0.5 } })
    // Ten calls at once: those started with fewer than 5 in flight teach nothing; the other six
    // each move the estimate by half of queueSize.
    await batch(limiter, 10, 100)
    expect(changes).toEqual([[11, 10], [12, 11], [13, 12], [14, 13], [15, 14], [16, 15]])
  })

  it('shrinks when latency rises above tolerance times its long-term average, by half at most per sample', async () => {
    const { limiter, changes } = recorded({ initial: 8, algorithm: { kind: 'gradient', queueSize: 0, smoothing: 1 } })
    await batch(limiter, 8, 100)
    expect(changes).toEqual([])
    // The long-term average is 100 ms: a call of 10 s with every place taken halves the limit.
    const gate = deferred<string>()
    const calls = Array.from({ length: 7 }, () => limiter.execute(() => gate.promise))
    const slow = limiter.execute(taking(10_000))
    await vi.advanceTimersByTimeAsync(10_000)
    await slow
    expect(changes).toEqual([[4, 8]])
    gate.resolve('ok')
    await Promise.all(calls)
  })

  it('tolerates latency up to tolerance times the average, and recovers once it falls', async () => {
    const { limiter, changes } = recorded({ initial: 4, max: 5, algorithm: { kind: 'gradient', queueSize: 0, smoothing: 1 } })
    await batch(limiter, 4, 100)
    // 150 ms against an average of 100 ms: within the default tolerance of 1.5.
    await batch(limiter, 4, 150)
    expect(changes).toEqual([])
    // 300 ms against about 150: each sample with enough in flight shrinks the limit by about 0.8.
    await batch(limiter, 4, 300)
    expect(changes).toEqual([[3, 4], [2, 3]])
    const { limiter: growing, changes: grown } = recorded({ initial: 3, max: 5, algorithm: { kind: 'gradient', queueSize: 1, smoothing: 1 } })
    await batch(growing, 3, 300)
    await batch(growing, 3, 100)
    expect(grown).toEqual([[4, 3], [5, 4]])
  })
})

/**
 * Takes one permit per latency at once (the first with 1 in flight, the last with all of them) and
 * gives each back after its latency, in fake time.
 */
async function permitsTaking(limiter: AdaptiveLimiter, latenciesMs: readonly number[]): Promise<void> {
  const permits = latenciesMs.map(() => limiter.tryAcquire())
  const order = latenciesMs.map((ms, index) => ({ ms, index })).sort((a, b) => a.ms - b.ms)
  let elapsed = 0
  for (const { ms, index } of order) {
    await vi.advanceTimersByTimeAsync(ms - elapsed)
    elapsed = ms
    permits[index]?.release()
  }
}

/** Vegas with whole steps and no probe within a test, unless a test says otherwise. */
const vegas = { kind: 'vegas', smoothing: 1, probeEvery: 1000 } as const

describe('AdaptiveLimiter with Vegas', () => {
  it('learns the unloaded latency from the fastest call, then grows by beta while nothing queues', async () => {
    const { limiter, changes } = recorded({ initial: 10, max: 100, algorithm: vegas })
    // The first sample is the unloaded latency; then only samples with half the limit in flight
    // count, and each finds no queue (100 ms against 100 ms): + 6 × log10 of the limit, at least 1.
    await permitsTaking(limiter, Array(10).fill(100))
    expect(changes).toEqual([[16, 10], [22, 16]])
  })

  it('grows by 1 while fewer than alpha calls are estimated queued, holds up to beta, and shrinks beyond', async () => {
    const start = async (): Promise<{ limiter: AdaptiveLimiter; changes: Array<[number, number]> }> => {
      const made = recorded({ initial: 10, max: 100, algorithm: vegas })
      await permitsTaking(made.limiter, [100])
      return made
    }
    // queue = ceil(limit × (1 − unloaded / latency)): 120 ms gives 2, 160 ms gives 4, 250 ms gives 6, 300 ms gives 7.
    const growing = await start()
    await permitsTaking(growing.limiter, Array(10).fill(120))
    expect(growing.changes[0]).toEqual([11, 10])
    for (const held of [160, 250]) {
      const holding = await start()
      await permitsTaking(holding.limiter, Array(10).fill(held))
      expect(holding.changes).toEqual([])
    }
    const shrinking = await start()
    await permitsTaking(shrinking.limiter, Array(10).fill(300))
    expect(shrinking.changes[0]).toEqual([9, 10])
    expect(shrinking.limiter.limit).toBeLessThan(10)
  })

  it('comes down towards what the downstream serves, by half at most per sample, when far more than beta queue', async () => {
    const { limiter, changes } = recorded({ initial: 100, max: 200, algorithm: vegas })
    await permitsTaking(limiter, [100])
    // 100 in flight at ten times the unloaded latency: about 10 served at once, 90 queued (beyond
    // 2 × beta × log10(100) = 24). Towards 10 + alpha × log10, by half at most: 50, 25, 12.
    await permitsTaking(limiter, Array(100).fill(1000))
    expect(changes.slice(0, 3)).toEqual([[50, 100], [25, 50], [12, 25]])
  })

  it('shrinks by log10 of the limit after a drop', async () => {
    const { limiter, changes } = recorded({ initial: 150, max: 200, algorithm: vegas })
    await permitsTaking(limiter, [100])
    const dropped = limiter.tryAcquire()
    await vi.advanceTimersByTimeAsync(50)
    dropped?.drop()
    expect(changes).toEqual([[148, 150]])
  })

  it('smooths each step by smoothing', async () => {
    const { limiter, changes } = recorded({ initial: 10, max: 100, algorithm: { ...vegas, smoothing: 0.5 } })
    await permitsTaking(limiter, Array(10).fill(100))
    // + 6 × 0.5 per counted sample.
    expect(changes[0]).toEqual([13, 10])
  })

  it('halves the limit every probeEvery × limit samples, drains, and learns a downstream that has become slower', async () => {
    // Without a probe, a downstream now four times slower looks like a queue of 3 calls in 4: the
    // limit falls until that is beta (6 of 8) and stays there.
    const stuck = recorded({ initial: 10, min: 1, max: 100, algorithm: vegas })
    await permitsTaking(stuck.limiter, [100])
    for (let round = 0; round < 6; round++) {
      await permitsTaking(stuck.limiter, Array(stuck.limiter.limit).fill(400))
    }
    expect(stuck.limiter.limit).toBe(8)

    const probing = recorded({ initial: 10, min: 1, max: 100, algorithm: { ...vegas, probeEvery: 1, random: () => 0.999 } })
    await permitsTaking(probing.limiter, [100])
    for (let round = 0; round < 6; round++) {
      await permitsTaking(probing.limiter, Array(probing.limiter.limit).fill(400))
    }
    // Down to 8 as above, then the probe halves it (limit samples after the first); the calls after
    // it teach 400 ms as the unloaded latency, and with nothing queued at that the limit grows
    // again (+ 6), past where it started.
    expect(probing.changes.slice(0, 5)).toEqual([[9, 10], [8, 9], [4, 8], [10, 4], [16, 10]])
  })

  it('rejects options it cannot honour', () => {
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'vegas', alpha: 0 } })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'vegas', alpha: 6, beta: 6 } })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'vegas', probeEvery: 0 } })).toThrow(RangeError)
    expect(() => new AdaptiveLimiter({ algorithm: { kind: 'vegas', smoothing: 0 } })).toThrow(RangeError)
  })
})

describe('AdaptiveLimiter listeners, cancellation and pipelines', () => {
  it('onLimitChange returns a function that stops listening', async () => {
    const limiter = new AdaptiveLimiter({ initial: 10, algorithm: aimd })
    const heard: number[] = []
    const stop = limiter.onLimitChange((limit) => heard.push(limit))
    await batch(limiter, 1, 200)
    stop()
    await batch(limiter, 1, 200)
    expect(heard).toEqual([9])
    expect(limiter.limit).toBe(8)
  })

  it('rejects at once with the caller’s reason, keeps the call in flight until fn settles, and learns nothing from it', async () => {
    const { limiter, changes } = recorded({ initial: 1, algorithm: aimd })
    const controller = new AbortController()
    const gate = deferred<string>()
    let seen: AbortSignal | undefined
    const call = track(limiter.execute(({ signal }) => {
      seen = signal
      return gate.promise
    }, { signal: controller.signal }))
    const reason = new Error('caller gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason })
    expect(seen?.aborted).toBe(true)
    expect(limiter.inflight).toBe(1)
    await expect(limiter.execute(() => 'refused')).rejects.toBeInstanceOf(LimitExceededError)
    gate.reject(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(limiter.inflight).toBe(0)
    expect(changes).toEqual([])
  })

  it('refuses an already-aborted call with its reason, without running it', async () => {
    const limiter = new AdaptiveLimiter({ algorithm: aimd })
    const fn = vi.fn(() => 'never')
    await expect(limiter.execute(fn, { signal: AbortSignal.abort('gone') })).rejects.toBe('gone')
    expect(fn).not.toHaveBeenCalled()
    expect(limiter.inflight).toBe(0)
  })

  it('composes in a pipeline: an outer timeout is a drop, and a full limiter refuses inside it', async () => {
    const { limiter, changes } = recorded({ initial: 2, algorithm: { kind: 'aimd', latencyThresholdMs: 1000, backoffRatio: 0.5 } })
    const policy = pipeline(timeoutPolicy(50), limiter)
    const hung = track(policy.execute(({ signal }) => new Promise((_, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    })))
    const busy = policy.execute(taking(20))
    await expect(policy.execute(() => 'third')).rejects.toBeInstanceOf(LimitExceededError)
    await vi.advanceTimersByTimeAsync(50)
    await expect(busy).resolves.toBe('ok')
    await expect(hung.promise).rejects.toBeInstanceOf(TimeoutError)
    // The quick call, started with the limit in use, adds 1; the timeout then halves the limit.
    expect(changes).toEqual([[3, 2], [1, 3]])
    expect(limiter.inflight).toBe(0)
  })
})
