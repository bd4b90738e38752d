import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { CircuitBreaker } from './circuit-breaker.js'
import { CircuitOpenError } from './errors/circuit-open-error.js'
import { TimeoutError } from './errors/timeout-error.js'
import { fallback, fallbackPolicy } from './fallback.js'
import { pipeline } from './pipeline.js'
import { deferred, track } from './test-support/breaker-helpers.js'
import { timeoutPolicy } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

const boom = new Error('boom')

describe('fallback', () => {
  it('resolves with fn’s value, without calling onFailure, when fn succeeds', async () => {
    const onFailure = vi.fn(() => 'fallback')
    await expect(fallback(() => 'value', onFailure)).resolves.toBe('value')
    await expect(fallback(() => Promise.resolve('async value'), onFailure)).resolves.toBe('async value')
    expect(onFailure).not.toHaveBeenCalled()
  })

  it('resolves with onFailure(error) when fn rejects or throws, awaiting a promise it returns', async () => {
    const onFailure = vi.fn((error: unknown) => Promise.resolve(`fell back from ${(error as Error).message}`))
    await expect(fallback(() => Promise.reject(boom), onFailure)).resolves.toBe('fell back from boom')
    await expect(fallback(() => { throw boom }, onFailure)).resolves.toBe('fell back from boom')
    expect(onFailure).toHaveBeenCalledTimes(2)
    expect(onFailure).toHaveBeenCalledWith(boom)
  })

  it('rethrows untouched an error isFailure refuses, and an error onFailure throws', async () => {
    const notFound = new Error('404')
    const isFailure = (error: unknown): boolean => error !== notFound
    await expect(fallback(() => Promise.reject(notFound), () => 'fallback', { isFailure })).rejects.toBe(notFound)
    const secondary = new Error('cache down too')
    await expect(fallback(() => Promise.reject(boom), () => { throw secondary })).rejects.toBe(secondary)
  })

  it('does not fall back from the caller’s abort: rejects at once with its reason, even when fn ignores it', async () => {
    const onFailure = vi.fn(() => 'fallback')
    const controller = new AbortController()
    const gate = deferred<string>()
    const call = track(fallback(() => gate.promise, onFailure, { signal: controller.signal }))
    controller.abort('gone')
    await vi.advanceTimersByTimeAsync(0)
    expect(call.outcome).toEqual({ status: 'rejected', reason: 'gone' })
    gate.reject(boom)
    await vi.advanceTimersByTimeAsync(0)
    await expect(fallback(() => 'never', onFailure, { signal: AbortSignal.abort('before') })).rejects.toBe('before')
    expect(onFailure).not.toHaveBeenCalled()
  })

  it('falls back from an abort when isFailure says so, with callerAborted true', async () => {
    const seen: boolean[] = []
    const isFailure = (_: unknown, { callerAborted }: { callerAborted: boolean }): boolean => {
      seen.push(callerAborted)
      return true
    }
    // An outer timeout answers the caller itself, so the fallback's value is what the layers inside see.
    const outer = track(timeoutPolicy(10).execute((context) => fallback(({ signal }) => new Promise((_, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    }), (error) => error, { isFailure, signal: context.signal })))
    await vi.advanceTimersByTimeAsync(10)
    expect(outer.outcome).toMatchObject({ status: 'rejected', reason: { name: 'TimeoutError' } })
    await expect(fallback(() => Promise.reject(boom), () => 'own', { isFailure })).resolves.toBe('own')
    expect(seen).toEqual([true, false])
  })
})

describe('fallbackPolicy', () => {
  it('falls back around a pipeline: a timeout or an open circuit inside gives the fallback value', async () => {
    const breaker = new CircuitBreaker({ maxFailures: 1 })
    const products = pipeline(timeoutPolicy(50), breaker)
    const orCached = fallbackPolicy((error) => (error instanceof CircuitOpenError ? 'cached (circuit open)' : 'cached (timed out)'))

    const slow = orCached.execute((context) => products.execute(() => new Promise<string>(() => {}), context))
    await vi.advanceTimersByTimeAsync(50)
    await expect(slow).resolves.toBe('cached (timed out)')
    await expect(orCached.execute(() => products.execute(() => Promise.reject(new TimeoutError(1))))).resolves.toBe('cached (timed out)')
    expect(breaker.state).toBe('open')
    await expect(orCached.execute(() => products.execute(() => 'fresh'))).resolves.toBe('cached (circuit open)')
  })

  it('takes isFailure and the caller’s signal like fallback', async () => {
    const notFound = new Error('404')
    const policy = fallbackPolicy(() => 'fallback', { isFailure: (error) => error !== notFound })
    await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound)
    await expect(policy.execute(() => Promise.reject(boom))).resolves.toBe('fallback')
    await expect(policy.execute(() => 'value', { signal: AbortSignal.abort('gone') })).rejects.toBe('gone')
  })
})
