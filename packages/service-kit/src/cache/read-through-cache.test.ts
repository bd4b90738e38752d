import { afterEach, describe, expect, it, vi } from 'vitest'

import { ReadThroughCache } from './read-through-cache.js'

afterEach(() => {
  vi.useRealTimers()
})

const caller = { abortSignal: new AbortController().signal }

describe('ReadThroughCache', () => {
  it('shares one load among concurrent misses of a key and serves it until ttlMs passes', async () => {
    vi.useFakeTimers()
    const cache = new ReadThroughCache<number>({ ttlMs: 1000, maxEntries: 10, loadTimeoutMs: 5000 })
    const load = vi.fn(async () => 42)
    const values = await Promise.all([cache.get('a', load, caller), cache.get('a', load, caller), cache.get('a', load, caller)])
    expect(values).toEqual([42, 42, 42])
    expect(load).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(999)
    await cache.get('a', load, caller)
    expect(load).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    await cache.get('a', load, caller)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('does not keep a failed load', async () => {
    const cache = new ReadThroughCache<number>({ ttlMs: 60_000, maxEntries: 10, loadTimeoutMs: 5000 })
    const load = vi.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValueOnce(7)
    await expect(cache.get('k', load, caller)).rejects.toThrow('db down')
    await expect(cache.get('k', load, caller)).resolves.toBe(7)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('lets a caller give up without cancelling the load the others wait for', async () => {
    const cache = new ReadThroughCache<string>({ ttlMs: 60_000, maxEntries: 10, loadTimeoutMs: 5000 })
    let finish!: (value: string) => void
    let loadSignal!: AbortSignal
    const load = vi.fn((signal: AbortSignal) => {
      loadSignal = signal
      return new Promise<string>((resolve) => {
        finish = resolve
      })
    })
    const leaving = new AbortController()
    const first = cache.get('k', load, { abortSignal: leaving.signal })
    const second = cache.get('k', load, caller)
    const reason = new Error('client left')
    leaving.abort(reason)
    await expect(first).rejects.toBe(reason)
    expect(loadSignal.aborted).toBe(false)
    finish('value')
    await expect(second).resolves.toBe('value')
  })

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new ReadThroughCache<string>({ ttlMs: 60_000, maxEntries: 2, loadTimeoutMs: 5000 })
    const load = vi.fn(async () => 'x')
    await cache.get('a', load, caller)
    await cache.get('b', load, caller)
    await cache.get('c', load, caller)
    await cache.get('b', load, caller)
    expect(load).toHaveBeenCalledTimes(3)
    await cache.get('a', load, caller)
    expect(load).toHaveBeenCalledTimes(4)
  })

  it('loads every time when ttlMs is 0', async () => {
    const cache = new ReadThroughCache<number>({ ttlMs: 0, maxEntries: 10, loadTimeoutMs: 5000 })
    const load = vi.fn(async () => 1)
    await cache.get('a', load, caller)
    await cache.get('a', load, caller)
    expect(load).toHaveBeenCalledTimes(2)
  })
})
