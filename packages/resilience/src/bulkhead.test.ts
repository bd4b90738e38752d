import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Bulkhead } from './bulkhead.js'
import { BulkheadRejectedError } from './errors/bulkhead-rejected-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import { pipeline } from './pipeline.js'
import { deferred, track } from './test-support/breaker-helpers.js'
import type { ExecutionContext } from './types.js'
import { timeoutPolicy } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** Lets pending promise callbacks run. */
async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0)
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (reason: unknown) => reason,
  )
}

describe('Bulkhead', () => {
  it('runs up to maxConcurrent calls at once and queues up to maxQueue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 2 })
    const gate = deferred<string>()
    const fn = vi.fn(() => gate.promise)

    const calls = [1, 2, 3, 4].map(() => track(bulkhead.execute(fn)))
    expect(fn).toHaveBeenCalledTimes(2)
    expect(bulkhead.active).toBe(2)
    expect(bulkhead.queued).toBe(2)

    gate.resolve('done')
    await flush()
    expect(fn).toHaveBeenCalledTimes(4)
    expect(calls.map((call) => call.outcome)).toEqual(Array(4).fill({ status: 'fulfilled', value: 'done' }))
    expect(bulkhead.active).toBe(0)
    expect(bulkhead.queued).toBe(0)
  })

  it('rejects with BulkheadRejectedError at once, without running fn, when slots and queue are full', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 })
    const gate = deferred()
    for (let index = 0; index < 3; index++) {
      void bulkhead.execute(() => gate.promise)
    }
    const fn = vi.fn(() => 'never')

    const refused = track(bulkhead.execute(fn))
    await Promise.resolve()
    expect(refused.outcome.status).toBe('rejected')
    const error = await rejection(refused.promise)
    expect(error).toBeInstanceOf(BulkheadRejectedError)
    expect(error).toMatchObject({ name: 'BulkheadRejectedError', code: 'RES_ERR_BULKHEAD_REJECTED', maxConcurrent: 2, maxQueue: 1 })
    expect(fn).not.toHaveBeenCalled()
    expect([bulkhead.active, bulkhead.queued]).toEqual([2, 1])
    gate.resolve()
  })

  it('maxQueue defaults to 0: a call beyond maxConcurrent is refused at once', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const gate = deferred()
    const first = track(bulkhead.execute(() => gate.promise))
    await expect(bulkhead.execute(() => 'second')).rejects.toBeInstanceOf(BulkheadRejectedError)
    expect(bulkhead.maxQueue).toBe(0)
    gate.resolve()
    await first.promise
    await expect(bulkhead.execute(() => 'third')).resolves.toBe('third')
  })

  it('starts queued calls in FIFO order as slots free', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5 })
    const order: number[] = []
    const gates = [0, 1, 2, 3, 4, 5].map(() => deferred<number>())
    const calls = gates.map((gate, index) =>
      track(
        bulkhead.execute(() => {
          order.push(index)
          return gate.promise
        }),
      ),
    )
    // Settle the gates out of order: the calls still start one at a time, oldest waiter first.
    for (const index of [5, 3, 1, 0, 2, 4]) {
      gates[index]?.resolve(index)
      await flush()
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5])
    expect(calls.map((call) => call.outcome)).toEqual([0, 1, 2, 3, 4, 5].map((value) => ({ status: 'fulfilled', value })))
  })

  it('active and queued follow each call through the queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 3 })
    const gates = [0, 1, 2, 3, 4].map(() => deferred())
    const snapshots: Array<[number, number]> = []
    const snapshot = (): void => {
      snapshots.push([bulkhead.active, bulkhead.queued])
    }
    snapshot()
    for (const gate of gates) {
      void bulkhead.execute(() => gate.promise)
      snapshot()
    }
    for (const gate of gates) {
      gate.resolve()
      await flush()
      snapshot()
    }
    expect(snapshots).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [2, 1],
      [2, 2],
      [2, 3],
      [2, 2],
      [2, 1],
      [2, 0],
      [1, 0],
      [0, 0],
    ])
  })

  it('a call that fails, synchronously or not, frees its slot for the next in the queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 2 })
    const gate = deferred<never>()
    const first = track(bulkhead.execute(() => gate.promise))
    const second = track(
      bulkhead.execute(() => {
        throw new Error('sync failure')
      }),
    )
    const third = track(bulkhead.execute(() => 'third'))

    gate.reject(new Error('async failure'))
    await flush()
    expect(first.outcome).toMatchObject({ status: 'rejected', reason: { message: 'async failure' } })
    expect(second.outcome).toMatchObject({ status: 'rejected', reason: { message: 'sync failure' } })
    expect(third.outcome).toEqual({ status: 'fulfilled', value: 'third' })
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0])
  })

  it('a call whose signal is already aborted is refused with the abort reason without running', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const fn = vi.fn(() => 'never')
    const reason = new Error('caller gone')
    await expect(bulkhead.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(fn).not.toHaveBeenCalled()
    expect(bulkhead.active).toBe(0)
  })

  it('hands fn the caller’s signal, with attempt 1', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const controller = new AbortController()
    let seen: ExecutionContext | undefined
    await bulkhead.execute(
      (context) => {
        seen = context
      },
      { signal: controller.signal },
    )
    expect(seen?.signal).toBe(controller.signal)
    expect(seen?.attempt).toBe(1)
  })

  it('a queued bulkhead call that is aborted frees its queue place at once (cockatiel keeps it)', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
    const gate = deferred<string>()
    const running = track(bulkhead.execute(() => gate.promise))
    const controller = new AbortController()
    const abortedFn = vi.fn(() => 'must not run')
    const queued = track(bulkhead.execute(abortedFn, { signal: controller.signal }))
    await expect(bulkhead.execute(() => 'full')).rejects.toBeInstanceOf(BulkheadRejectedError)

    const reason = new Error('caller gone')
    controller.abort(reason)
    await Promise.resolve()
    expect(queued.outcome).toEqual({ status: 'rejected', reason })
    expect(bulkhead.queued).toBe(0)

    // The place is free again: a new call waits instead of being refused.
    const replacement = track(bulkhead.execute(() => 'replacement'))
    await flush()
    expect(replacement.outcome.status).toBe('pending')
    expect(bulkhead.queued).toBe(1)

    gate.resolve('first')
    await flush()
    expect(running.outcome).toEqual({ status: 'fulfilled', value: 'first' })
    expect(replacement.outcome).toEqual({ status: 'fulfilled', value: 'replacement' })
    expect(abortedFn).not.toHaveBeenCalled()
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0])
  })

  it('a running call aborted by its caller rejects at once with the reason, and keeps its slot until fn settles', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
    const controller = new AbortController()
    let signal: AbortSignal | undefined
    // Work that ignores its signal and runs for 500 ms.
    const running = track(
      bulkhead.execute(
        (context) => {
          signal = context.signal
          return new Promise<string>((resolve) => setTimeout(() => resolve('finally done'), 500))
        },
        { signal: controller.signal },
      ),
    )
    const startedAt: number[] = []
    const queued = track(
      bulkhead.execute(() => {
        startedAt.push(performance.now())
        return 'queued'
      }),
    )
    await vi.advanceTimersByTimeAsync(100)
    const reason = new Error('caller gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(running.outcome).toEqual({ status: 'rejected', reason })
    expect(signal?.reason).toBe(reason)
    expect([bulkhead.active, bulkhead.queued]).toEqual([1, 1])
    await expect(bulkhead.execute(() => 'refused')).rejects.toBeInstanceOf(BulkheadRejectedError)

    await vi.advanceTimersByTimeAsync(399)
    expect([bulkhead.active, bulkhead.queued]).toEqual([1, 1])
    expect(startedAt).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(startedAt).toEqual([500])
    expect(queued.outcome).toEqual({ status: 'fulfilled', value: 'queued' })
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0])
  })

  it('a queued call that starts and is then aborted rejects at once, and keeps its slot until fn settles', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
    const first = track(bulkhead.execute(() => new Promise<string>((resolve) => setTimeout(() => resolve('first'), 50))))
    const controller = new AbortController()
    const startedAt: number[] = []
    const second = track(
      bulkhead.execute(
        () => {
          startedAt.push(performance.now())
          return new Promise<string>((resolve) => setTimeout(() => resolve('second'), 250))
        },
        { signal: controller.signal },
      ),
    )
    await vi.advanceTimersByTimeAsync(50)
    expect(first.outcome).toEqual({ status: 'fulfilled', value: 'first' })
    expect(startedAt).toEqual([50])
    expect([bulkhead.active, bulkhead.queued]).toEqual([1, 0])

    await vi.advanceTimersByTimeAsync(50)
    const reason = new Error('caller gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(second.outcome).toEqual({ status: 'rejected', reason })
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(199)
    expect(bulkhead.active).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0])
  })

  it('a bulkhead slot stays taken until the work really finishes, even after a timeout (opossum lets a second call in)', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0 })
    const guarded = pipeline(timeoutPolicy(100), bulkhead)
    let signal: AbortSignal | undefined
    // Work that ignores its signal and runs for 500 ms.
    const first = track(
      guarded.execute((context) => {
        signal = context.signal
        return new Promise<string>((resolve) => setTimeout(() => resolve('finally done'), 500))
      }),
    )

    await vi.advanceTimersByTimeAsync(100)
    expect(first.outcome.status).toBe('rejected')
    expect((first.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect(signal?.aborted).toBe(true)
    expect(bulkhead.active).toBe(1)
    const second = vi.fn(() => 'second')
    await expect(guarded.execute(second)).rejects.toBeInstanceOf(BulkheadRejectedError)

    await vi.advanceTimersByTimeAsync(399)
    expect(bulkhead.active).toBe(1)
    await expect(guarded.execute(second)).rejects.toBeInstanceOf(BulkheadRejectedError)
    expect(second).not.toHaveBeenCalled()

    await vi.advanceTimersByTimeAsync(1)
    expect(bulkhead.active).toBe(0)
    await expect(guarded.execute(second)).resolves.toBe('second')
  })

  it('a queued call is abandoned when an outer timeout fires while it waits', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
    const gate = deferred<string>()
    void bulkhead.execute(() => gate.promise)
    const waiting = vi.fn(() => 'late')
    const timed = track(pipeline(timeoutPolicy(50), bulkhead).execute(waiting))
    expect(bulkhead.queued).toBe(1)

    await vi.advanceTimersByTimeAsync(50)
    expect((timed.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect(bulkhead.queued).toBe(0)
    gate.resolve('done')
    await flush()
    expect(waiting).not.toHaveBeenCalled()
  })

  it('aborted waiters do not pile up in the queue, and the live ones keep their order', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 10_000 })
    const gate = deferred()
    void bulkhead.execute(() => gate.promise)
    const order: number[] = []
    for (let index = 0; index < 1000; index++) {
      const controller = new AbortController()
      void bulkhead.execute(() => order.push(index), { signal: controller.signal }).catch(() => {})
      if (index % 100 !== 0) {
        controller.abort()
      }
    }
    await flush()
    expect(bulkhead.queued).toBe(10)
    const queue = (bulkhead as unknown as { queue: unknown[] }).queue
    expect(queue.length).toBeLessThanOrEqual(2 * 10 + 17)

    gate.resolve()
    await flush()
    expect(order).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0])
  })

  it.each([
    [{ maxConcurrent: 0 }],
    [{ maxConcurrent: 1.5 }],
    [{ maxConcurrent: 1, maxQueue: -1 }],
    [{ maxConcurrent: 1, maxQueue: 0.5 }],
  ])('rejects options %o with a RangeError', (options) => {
    expect(() => new Bulkhead(options)).toThrow(RangeError)
  })
})
