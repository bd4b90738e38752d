import { AsyncLocalStorage } from 'node:async_hooks'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { CircuitBreaker } from './circuit-breaker.js'
import { TimeoutError } from './errors/timeout-error.js'
import { HedgePolicy, hedge, hedgePolicy } from './hedge.js'
import { pendingTimers } from './internal/timer-queue.js'
import { pipeline } from './pipeline.js'
import type { PolicyEvent } from './policy-events.js'
import { deferred, track } from './test-support/breaker-helpers.js'
import type { ExecutionContext } from './types.js'
import { timeoutPolicy } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** One started copy of a hedged call: when it started, its context, and how to settle it. */
interface Copy {
  readonly startedAt: number
  readonly context: ExecutionContext
  readonly signal: AbortSignal
  readonly resolve: (value: string) => void
  readonly reject: (reason: unknown) => void
}

/** A hedged operation whose copies are settled by the test. Each copy reads its signal. */
function copies(): { readonly started: Copy[]; readonly fn: (context: ExecutionContext) => Promise<string> } {
  const started: Copy[] = []
  const fn = (context: ExecutionContext): Promise<string> => {
    const gate = deferred<string>()
    started.push({ startedAt: performance.now(), context, signal: context.signal, resolve: gate.resolve, reject: gate.reject })
    return gate.promise
  }
  return { started, fn }
}

describe('hedge', () => {
  it('runs a single copy when it settles before delayMs', async () => {
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100 }))
    await vi.advanceTimersByTimeAsync(99)
    started[0]?.resolve('first')
    await vi.advanceTimersByTimeAsync(1000)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'first' })
    expect(started).toHaveLength(1)
    expect(started[0]?.signal.aborted).toBe(false)
    expect(pendingTimers()).toBe(0)
  })

  it('starts the next copy after exactly delayMs', async () => {
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100 }))
    await vi.advanceTimersByTimeAsync(99)
    expect(started).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(started.map((copy) => copy.startedAt)).toEqual([0, 100])
    started[1]?.resolve('second')
    await expect(call.promise).resolves.toBe('second')
  })

  it('the first success wins and the losers’ signals are aborted with an AbortError', async () => {
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100, maxHedges: 2 }))
    await vi.advanceTimersByTimeAsync(250)
    expect(started.map((copy) => copy.startedAt)).toEqual([0, 100, 200])

    started[1]?.resolve('second')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'second' })
    for (const loser of [started[0], started[2]]) {
      expect(loser?.signal.aborted).toBe(true)
      expect(loser?.signal.reason).toBeInstanceOf(DOMException)
      expect((loser?.signal.reason as DOMException).name).toBe('AbortError')
      expect((loser?.signal.reason as DOMException).message).toBe('Another hedged copy of the call answered first')
    }
    expect(started[1]?.signal.aborted).toBe(false)

    // A loser answering later changes nothing.
    started[0]?.resolve('first, too late')
    started[2]?.reject(new Error('third, too late'))
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'second' })
  })

  it('starts at most maxHedges extra copies, each delayMs after the previous one', async () => {
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 40, maxHedges: 3 }))
    await vi.advanceTimersByTimeAsync(1000)
    expect(started.map((copy) => copy.startedAt)).toEqual([0, 40, 80, 120])
    expect(pendingTimers()).toBe(0)
    started[3]?.resolve('fourth')
    await expect(call.promise).resolves.toBe('fourth')
  })

  it('maxHedges defaults to 1 and 0 means no hedging at all', async () => {
    const byDefault = copies()
    void hedge(byDefault.fn, { delayMs: 10 })
    const none = copies()
    void hedge(none.fn, { delayMs: 10, maxHedges: 0 })
    await vi.advanceTimersByTimeAsync(1000)
    expect(byDefault.started).toHaveLength(2)
    expect(none.started).toHaveLength(1)
    for (const copy of [...byDefault.started, ...none.started]) {
      copy.resolve('done')
    }
  })

  it('a failing copy launches the next one at once instead of waiting out the delay', async () => {
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100, maxHedges: 2 }))
    await vi.advanceTimersByTimeAsync(30)
    started[0]?.reject(new Error('first failed'))
    await vi.advanceTimersByTimeAsync(0)
    expect(started.map((copy) => copy.startedAt)).toEqual([0, 30])

    // The delay restarts from the copy just launched.
    await vi.advanceTimersByTimeAsync(99)
    expect(started).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(started.map((copy) => copy.startedAt)).toEqual([0, 30, 130])

    started[2]?.resolve('third')
    await expect(call.promise).resolves.toBe('third')
    expect(started[1]?.signal.aborted).toBe(true)
  })

  it('when every copy fails, rejects with the error of the last one to fail', async () => {
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100, maxHedges: 2 }))
    await vi.advanceTimersByTimeAsync(10)
    started[0]?.reject(new Error('e1')) // t = 10: copy 2 starts at once, copy 3 at 110
    await vi.advanceTimersByTimeAsync(100)
    expect(started.map((copy) => copy.startedAt)).toEqual([0, 10, 110])
    started[2]?.reject(new Error('e3'))
    await vi.advanceTimersByTimeAsync(50)
    expect(call.outcome.status).toBe('pending')
    const last = new Error('e2')
    started[1]?.reject(last)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason: last })
    expect(started).toHaveLength(3)
  })

  it('a synchronous throw counts as a failed copy', async () => {
    let calls = 0
    const result = hedge(
      () => {
        calls++
        if (calls === 1) {
          throw new Error('sync')
        }
        return 'second'
      },
      { delayMs: 100 },
    )
    await expect(result).resolves.toBe('second')
    expect(calls).toBe(2)
  })

  it('aborting the caller’s signal aborts every copy and rejects with its reason', async () => {
    const { started, fn } = copies()
    const controller = new AbortController()
    const call = track(hedge(fn, { delayMs: 100, maxHedges: 3, signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(150)
    const reason = new Error('caller gone')
    controller.abort(reason)
    await vi.advanceTimersByTimeAsync(0)

    expect(call.outcome).toEqual({ status: 'rejected', reason })
    expect(started).toHaveLength(2)
    expect(started.map((copy): unknown => copy.signal.reason)).toEqual([reason, reason])
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toHaveLength(2)
    expect(pendingTimers()).toBe(0)
  })

  it('an already aborted signal rejects without running fn', async () => {
    const fn = vi.fn(() => 'never')
    const reason = new Error('already gone')
    await expect(hedge(fn, { delayMs: 10, signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(fn).not.toHaveBeenCalled()
  })

  it('numbers the copies’ attempts 1..n', async () => {
    const { started, fn } = copies()
    void hedge(fn, { delayMs: 10, maxHedges: 4 })
    await vi.advanceTimersByTimeAsync(100)
    expect(started.map((copy) => copy.context.attempt)).toEqual([1, 2, 3, 4, 5])
    started[4]?.resolve('fifth')
  })

  it.each([
    [{ delayMs: -1 }],
    [{ delayMs: Number.NaN }],
    [{ delayMs: 10, maxHedges: -1 }],
    [{ delayMs: 10, maxHedges: 1.5 }],
  ])('rejects options %o with a RangeError', (options) => {
    expect(() => hedge(() => 'x', options)).toThrow(RangeError)
    expect(() => hedgePolicy(options)).toThrow(RangeError)
  })
})

describe('hedgePolicy', () => {
  it('hedges the policies inside it in a pipeline; a lost copy is no failure for an inner breaker', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const guarded = pipeline(hedgePolicy({ delayMs: 100 }), breaker)
    const { started, fn } = copies()
    const lostCopies = vi.fn()
    // Each copy honours its signal, as fetch would.
    const honouring = (context: ExecutionContext): Promise<string> => {
      context.signal.addEventListener('abort', lostCopies)
      return fn(context).then((value) => value)
    }
    const call = track(guarded.execute(honouring))
    await vi.advanceTimersByTimeAsync(100)
    expect(started.map((copy) => [copy.startedAt, copy.context.attempt])).toEqual([
      [0, 1],
      [100, 2],
    ])

    started[1]?.resolve('hedged')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'hedged' })
    expect(lostCopies).toHaveBeenCalledTimes(1)
    // The lost copy stops as fetch would: rejecting with its signal's reason.
    started[0]?.reject(started[0].signal.reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(breaker.stats).toMatchObject({ state: 'closed', totalSuccesses: 1, totalFailures: 0 })
  })

  it('an outer timeout aborts every copy with its TimeoutError', async () => {
    const { started, fn } = copies()
    const call = track(pipeline(timeoutPolicy(250), hedgePolicy({ delayMs: 100, maxHedges: 5 })).execute(fn))
    await vi.advanceTimersByTimeAsync(250)
    expect((call.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError)
    expect(started).toHaveLength(3)
    for (const copy of started) {
      expect(copy.signal.reason).toBeInstanceOf(TimeoutError)
    }
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toHaveLength(3)
  })

  it('execute() takes a caller signal like hedge() does', async () => {
    const policy = hedgePolicy({ delayMs: 20 })
    expect(policy).toBeInstanceOf(HedgePolicy)
    const { started, fn } = copies()
    const controller = new AbortController()
    const call = track(policy.execute(fn, { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(20)
    controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome.status).toBe('rejected')
    expect(started.every((copy) => copy.signal.aborted)).toBe(true)
    expect(started).toHaveLength(2)
  })
})

describe('hedge: events', () => {
  /** A listener that records what it hears, with the fake time it heard it at. */
  function listening(): { readonly heard: (PolicyEvent & { at: number })[]; readonly listener: (event: PolicyEvent) => void } {
    const heard: (PolicyEvent & { at: number })[] = []
    return { heard, listener: (event) => heard.push({ ...event, at: performance.now() }) }
  }

  it('reports the hedge, copy 2 winning and copy 1 cancelled', async () => {
    const { heard, listener } = listening()
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100, listener }))
    await vi.advanceTimersByTimeAsync(150)
    started[1]?.resolve('second')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'second' })
    expect(heard).toEqual([
      { type: 'attempt', policy: 'hedge', attempt: 1, at: 0 },
      { type: 'hedge', policy: 'hedge', attempt: 2, delayMs: 100, at: 100 },
      { type: 'attempt', policy: 'hedge', attempt: 2, at: 100 },
      { type: 'attempt-end', policy: 'hedge', attempt: 2, outcome: 'ok', won: true, durationMs: 50, at: 150 },
      { type: 'attempt-end', policy: 'hedge', attempt: 1, outcome: 'cancelled', won: false, durationMs: 150, at: 150 },
    ])
  })

  it('reports no hedge when copy 1 answers before delayMs', async () => {
    const { heard, listener } = listening()
    const { started, fn } = copies()
    const call = track(hedgePolicy({ delayMs: 100, listener }).execute(fn))
    await vi.advanceTimersByTimeAsync(60)
    started[0]?.resolve('first')
    await vi.advanceTimersByTimeAsync(1000)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'first' })
    expect(heard).toEqual([
      { type: 'attempt', policy: 'hedge', attempt: 1, at: 0 },
      { type: 'attempt-end', policy: 'hedge', attempt: 1, outcome: 'ok', won: true, durationMs: 60, at: 60 },
    ])
  })

  it('reports failed copies, the next one started at once without a hedge event, the last one winning', async () => {
    const { heard, listener } = listening()
    const { started, fn } = copies()
    const call = track(hedge(fn, { delayMs: 100, listener }))
    await vi.advanceTimersByTimeAsync(20)
    started[0]?.reject(new Error('one'))
    await vi.advanceTimersByTimeAsync(10)
    started[1]?.reject(new Error('two'))
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason: new Error('two') })
    expect(heard).toEqual([
      { type: 'attempt', policy: 'hedge', attempt: 1, at: 0 },
      { type: 'attempt-end', policy: 'hedge', attempt: 1, outcome: 'failed', won: false, durationMs: 20, error: new Error('one'), at: 20 },
      { type: 'attempt', policy: 'hedge', attempt: 2, at: 20 },
      { type: 'attempt-end', policy: 'hedge', attempt: 2, outcome: 'failed', won: true, durationMs: 10, error: new Error('two'), at: 30 },
    ])
  })

  it('reports every copy cancelled when the caller aborts', async () => {
    const { heard, listener } = listening()
    const { fn } = copies()
    const controller = new AbortController()
    const call = track(hedge(fn, { delayMs: 100, listener, signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(120)
    controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome.status).toBe('rejected')
    expect(heard.slice(3)).toEqual([
      { type: 'attempt-end', policy: 'hedge', attempt: 1, outcome: 'cancelled', won: false, durationMs: 120, at: 120 },
      { type: 'attempt-end', policy: 'hedge', attempt: 2, outcome: 'cancelled', won: false, durationMs: 20, at: 120 },
    ])
  })

  it('starts a hedged copy in the caller\'s AsyncLocalStorage context, with nobody listening', async () => {
    const als = new AsyncLocalStorage<string>()
    const policy = hedgePolicy({ delayMs: 100 })
    const storeOfCopy: (string | undefined)[] = []
    const { started, fn } = copies()
    const call = track(als.run('request 7', () => policy.execute((context) => {
      storeOfCopy.push(als.getStore())
      return fn(context)
    })))
    // Another call arms the shared timer first: the copy must not run in its context.
    const other = track(als.run('request 8', () => policy.execute(fn)))
    await vi.advanceTimersByTimeAsync(100)
    expect(storeOfCopy).toEqual(['request 7', 'request 7'])
    // started: call 7's first copy, call 8's first, then each one's hedge.
    started[2]?.resolve('second')
    started[1]?.resolve('first of the other')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'second' })
    expect(other.outcome).toEqual({ status: 'fulfilled', value: 'first of the other' })
  })

  it('tells a listener the events of a copy the timer started in the call\'s AsyncLocalStorage context, until it unsubscribes', async () => {
    const als = new AsyncLocalStorage<string>()
    const seen: [string, string | undefined][] = []
    const policy = hedgePolicy({ delayMs: 100 })
    const stop = policy.listen((event) => seen.push([event.type, als.getStore()]))
    const { started, fn } = copies()
    const call = track(als.run('request 9', () => policy.execute(fn)))
    await vi.advanceTimersByTimeAsync(100)
    started[1]?.resolve('second')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'second' })
    expect(seen).toEqual([
      ['attempt', 'request 9'],
      ['hedge', 'request 9'],
      ['attempt', 'request 9'],
      ['attempt-end', 'request 9'],
      ['attempt-end', 'request 9'],
    ])
    stop()
    const again = track(policy.execute(fn))
    started[2]?.resolve('again')
    await vi.advanceTimersByTimeAsync(0)
    expect(again.outcome).toEqual({ status: 'fulfilled', value: 'again' })
    expect(seen).toHaveLength(5)
  })
})
