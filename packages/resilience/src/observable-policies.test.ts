import { AsyncLocalStorage } from 'node:async_hooks'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { AdaptiveLimiter } from './adaptive-limiter.js'
import { AdaptiveThrottle } from './adaptive-throttle.js'
import { Bulkhead } from './bulkhead.js'
import { CircuitBreaker } from './circuit-breaker.js'
import { BulkheadRejectedError } from './errors/bulkhead-rejected-error.js'
import { CircuitOpenError } from './errors/circuit-open-error.js'
import { LimitExceededError } from './errors/limit-exceeded-error.js'
import { ThrottledError } from './errors/throttled-error.js'
import { fallback, fallbackPolicy } from './fallback.js'
import { pipeline } from './pipeline.js'
import type { PolicyEvent, PolicyListener } from './policy-events.js'
import { deferred, failCalls, recordTransitions } from './test-support/breaker-helpers.js'
import type { Policy } from './types.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** A listener and the events it heard, in order. */
function recorder(): { listener: PolicyListener; heard: PolicyEvent[] } {
  const heard: PolicyEvent[] = []
  return { listener: (event) => heard.push(event), heard }
}

/** The reason `promise` rejects with. */
function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (reason: unknown) => reason,
  )
}

/** A call that resolves after `ms` of fake time. */
const taking = (ms: number) => (): Promise<string> => new Promise((resolve) => setTimeout(() => { resolve('ok') }, ms))

describe('CircuitBreaker events', () => {
  it('reports closed → open → half-open → closed in order, with its name, beside onStateChange', async () => {
    const { listener, heard } = recorder()
    const breaker = new CircuitBreaker({ name: 'products', maxFailures: 2, resetIntervalMs: 1000, listener })
    const transitions = recordTransitions(breaker)
    await failCalls(breaker, 2)
    await vi.advanceTimersByTimeAsync(1000)
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe')
    expect(heard).toEqual([
      { type: 'state', policy: 'breaker', name: 'products', state: 'open', previous: 'closed' },
      { type: 'state', policy: 'breaker', name: 'products', state: 'half-open', previous: 'open' },
      { type: 'state', policy: 'breaker', name: 'products', state: 'closed', previous: 'half-open' },
    ])
    expect(transitions).toEqual([['open', 'closed'], ['half-open', 'open'], ['closed', 'half-open']])
  })

  it('reports each refusal with the CircuitOpenError the caller gets, and isolate and reset as state changes', async () => {
    const breaker = new CircuitBreaker()
    const { listener, heard } = recorder()
    const stop = breaker.listen(listener)
    breaker.isolate()
    const error = await reasonOf(breaker.execute(() => 'never'))
    expect(error).toBeInstanceOf(CircuitOpenError)
    breaker.reset()
    expect(heard).toEqual([
      { type: 'state', policy: 'breaker', name: undefined, state: 'open', previous: 'closed' },
      { type: 'rejection', policy: 'breaker', error },
      { type: 'state', policy: 'breaker', name: undefined, state: 'closed', previous: 'open' },
    ])
    expect(heard[1]!.type === 'rejection' && heard[1]!.error).toBe(error)
    stop()
    breaker.isolate()
    expect(heard).toHaveLength(3)
  })

  it('emits inside the call, so a listener sees the caller’s AsyncLocalStorage store', async () => {
    const als = new AsyncLocalStorage<string>()
    const stores: Array<[string, string | undefined]> = []
    const breaker = new CircuitBreaker({
      maxFailures: 1,
      listener: (event) => stores.push([event.type, als.getStore()]),
    })
    await als.run('request-1', () => reasonOf(breaker.execute(() => Promise.reject(new Error('boom')))))
    await als.run('request-2', () => reasonOf(breaker.execute(() => 'never')))
    expect(stores).toEqual([['state', 'request-1'], ['rejection', 'request-2']])
  })

  it('keeps the call and the breaker whole when a listener throws, and rethrows its error later', async () => {
    // The throwing listener hears two events (the state change, the refusal): two errors, rethrown later.
    const uncaught: unknown[] = []
    const twoUncaught = new Promise<void>((resolve) => {
      const onUncaught = (error: unknown): void => {
        uncaught.push(error)
        if (uncaught.length === 2) {
          process.off('uncaughtException', onUncaught)
          resolve()
        }
      }
      process.on('uncaughtException', onUncaught)
    })
    const { listener, heard } = recorder()
    const breaker = new CircuitBreaker({
      maxFailures: 1,
      listener: () => {
        throw new Error('listener bug')
      },
    })
    breaker.listen(listener)
    const error = await reasonOf(breaker.execute(() => Promise.reject(new Error('boom'))))
    expect(error).toMatchObject({ message: 'boom' })
    expect(breaker.state).toBe('open')
    await expect(reasonOf(breaker.execute(() => 'never'))).resolves.toBeInstanceOf(CircuitOpenError)
    expect(heard.map((event) => event.type)).toEqual(['state', 'rejection'])
    await twoUncaught
    expect(uncaught).toMatchObject([{ message: 'listener bug' }, { message: 'listener bug' }])
  })
})

describe('Bulkhead events', () => {
  it('reports a refusal with the BulkheadRejectedError the caller gets, and nothing else', async () => {
    const { listener, heard } = recorder()
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, listener })
    const gate = deferred<string>()
    const running = bulkhead.execute(() => gate.promise)
    const queued = bulkhead.execute(() => 'queued')
    const error = await reasonOf(bulkhead.execute(() => 'refused'))
    expect(error).toBeInstanceOf(BulkheadRejectedError)
    expect(heard).toEqual([{ type: 'rejection', policy: 'bulkhead', error }])
    expect(heard[0]!.type === 'rejection' && heard[0]!.error).toBe(error)
    gate.resolve('ran')
    await expect(Promise.all([running, queued])).resolves.toEqual(['ran', 'queued'])
    expect(heard).toHaveLength(1)
  })

  it('stops reporting once unsubscribed', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const { listener, heard } = recorder()
    bulkhead.listen(listener)()
    const gate = deferred()
    const running = bulkhead.execute(() => gate.promise)
    await reasonOf(bulkhead.execute(() => 'refused'))
    gate.resolve()
    await running
    expect(heard).toEqual([])
  })
})

describe('AdaptiveLimiter events', () => {
  const aimd = { kind: 'aimd', latencyThresholdMs: 100 } as const

  it('reports every limit change beside onLimitChange, and each refusal of execute with its LimitExceededError', async () => {
    const { listener, heard } = recorder()
    const limiter = new AdaptiveLimiter({ initial: 1, min: 1, algorithm: aimd, listener })
    const changes: Array<[number, number]> = []
    limiter.onLimitChange((limit, previous) => changes.push([limit, previous]))
    const first = limiter.execute(taking(10))
    const error = await reasonOf(limiter.execute(taking(10)))
    expect(error).toBeInstanceOf(LimitExceededError)
    await vi.advanceTimersByTimeAsync(10)
    await first
    expect(limiter.limit).toBe(2)
    expect(heard).toEqual([
      { type: 'rejection', policy: 'limiter', error },
      { type: 'limit', policy: 'limiter', limit: 2, previous: 1 },
    ])
    expect(heard[0]!.type === 'rejection' && heard[0]!.error).toBe(error)
    expect(changes).toEqual([[2, 1]])
  })

  it('reports a refusal of tryAcquire with a LimitExceededError of the current limit, while the caller gets undefined', () => {
    const limiter = new AdaptiveLimiter({ initial: 1, algorithm: aimd })
    const permit = limiter.tryAcquire()
    expect(permit).toBeDefined()
    expect(limiter.tryAcquire()).toBeUndefined()
    const { listener, heard } = recorder()
    limiter.listen(listener)
    expect(limiter.tryAcquire()).toBeUndefined()
    expect(heard).toEqual([{ type: 'rejection', policy: 'limiter', error: expect.any(LimitExceededError) as unknown }])
    expect(heard[0]).toMatchObject({ error: { limit: 1 } })
    permit!.ignore()
  })
})

describe('AdaptiveThrottle events', () => {
  it('reports a local refusal with the ThrottledError the caller gets', async () => {
    const { listener, heard } = recorder()
    const throttle = new AdaptiveThrottle({ random: () => 0, listener })
    await reasonOf(throttle.execute(() => Promise.reject(new Error('down'))))
    expect(heard).toEqual([])
    const error = await reasonOf(throttle.execute(() => 'never'))
    expect(error).toBeInstanceOf(ThrottledError)
    expect(heard).toEqual([{ type: 'rejection', policy: 'throttle', error }])
    expect(heard[0]!.type === 'rejection' && heard[0]!.error).toBe(error)
  })
})

describe('fallback events', () => {
  const boom = new Error('boom')

  it('fallback() reports a fallback event with fn’s error when the fallback stands in, and none on success', async () => {
    const { listener, heard } = recorder()
    await expect(fallback(() => 'value', () => 'fallback', { listener })).resolves.toBe('value')
    await expect(fallback(() => Promise.reject(boom), () => 'fallback', { listener })).resolves.toBe('fallback')
    expect(heard).toEqual([{ type: 'fallback', policy: 'fallback', error: boom }])
  })

  it('reports nothing for an error isFailure refuses', async () => {
    const { listener, heard } = recorder()
    await expect(fallback(() => Promise.reject(boom), () => 'fallback', { listener, isFailure: () => false })).rejects.toBe(boom)
    expect(heard).toEqual([])
  })

  it('fallbackPolicy reports through its listener option and listen', async () => {
    const fromOptions = recorder()
    const fromListen = recorder()
    const orEmpty = fallbackPolicy(() => [], { listener: fromOptions.listener })
    const stop = orEmpty.listen(fromListen.listener)
    await expect(orEmpty.execute(() => Promise.reject(boom))).resolves.toEqual([])
    stop()
    await expect(orEmpty.execute(() => Promise.reject(boom))).resolves.toEqual([])
    const event = { type: 'fallback', policy: 'fallback', error: boom }
    expect(fromOptions.heard).toEqual([event, event])
    expect(fromListen.heard).toEqual([event])
  })
})

describe('Pipeline.listen', () => {
  it('hears the events of every policy inside, nested pipelines included, until one function stops them all', async () => {
    const breaker = new CircuitBreaker({ name: 'inventory', maxFailures: 1 })
    const bulkhead = new Bulkhead({ maxConcurrent: 1 })
    const limiter = new AdaptiveLimiter({ initial: 1, algorithm: { kind: 'aimd', latencyThresholdMs: 100 } })
    const policies = pipeline(pipeline(bulkhead), limiter, breaker)
    const { listener, heard } = recorder()
    const stop = policies.listen(listener)

    // The bulkhead refuses a second call while the first runs.
    const gate = deferred<string>()
    const running = policies.execute(() => gate.promise)
    const bulkheadError = await reasonOf(policies.execute(() => 'refused'))
    gate.resolve('ok')
    await running
    // The limiter, grown to 2 by that fast call, refuses while both places are taken.
    const permits = [limiter.tryAcquire(), limiter.tryAcquire()]
    const limiterError = await reasonOf(policies.execute(() => 'refused'))
    for (const permit of permits) {
      permit!.ignore()
    }
    // A failure opens the breaker, which then refuses.
    await reasonOf(policies.execute(() => Promise.reject(new Error('boom'))))
    const breakerError = await reasonOf(policies.execute(() => 'refused'))

    expect(heard).toEqual([
      { type: 'rejection', policy: 'bulkhead', error: bulkheadError },
      { type: 'limit', policy: 'limiter', limit: 2, previous: 1 },
      { type: 'rejection', policy: 'limiter', error: limiterError },
      { type: 'state', policy: 'breaker', name: 'inventory', state: 'open', previous: 'closed' },
      { type: 'rejection', policy: 'breaker', error: breakerError },
    ])
    expect(bulkheadError).toBeInstanceOf(BulkheadRejectedError)
    expect(limiterError).toBeInstanceOf(LimitExceededError)
    expect(breakerError).toBeInstanceOf(CircuitOpenError)

    stop()
    breaker.reset()
    breaker.isolate()
    await reasonOf(policies.execute(() => 'refused'))
    const blocker = deferred()
    const held = bulkhead.execute(() => blocker.promise)
    await reasonOf(bulkhead.execute(() => 'refused'))
    blocker.resolve()
    await held
    expect(heard).toHaveLength(5)
  })

  it('skips policies that cannot be listened to, and an empty pipeline returns a harmless stop', () => {
    const foreign: Policy = { execute: (fn, options) => pipeline().execute(fn, options) }
    const { listener, heard } = recorder()
    const stop = pipeline(foreign, new CircuitBreaker({ maxFailures: 1 })).listen(listener)
    expect(() => { pipeline().listen(listener)() }).not.toThrow()
    stop()
    stop()
    expect(heard).toEqual([])
  })
})
