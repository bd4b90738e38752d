import { describe, expect, it } from 'vitest'

import { KeptReads } from '../../src/cache/kept-reads.js'

const always = (): boolean => true
const never = (): boolean => false

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1000
  return { now: () => time, advance: (ms) => { time += ms } }
}

describe('KeptReads', () => {
  it('serves a value for ttlMs without reading again, then reads again', async () => {
    const time = clock()
    const kept = new KeptReads<number>({ ttlMs: 100, staleIfErrorMs: 0, maxEntries: 10, now: time.now })
    let reads = 0
    const load = (): Promise<number> => Promise.resolve(++reads)
    const signal = new AbortController().signal
    expect((await kept.get('k', load, signal, never)).value).toBe(1)
    time.advance(99)
    expect(await kept.get('k', load, signal, never)).toEqual({ value: 1, stale: false, ageMs: 99 })
    time.advance(1)
    expect((await kept.get('k', load, signal, never)).value).toBe(2)
    expect(kept.stats()).toMatchObject({ hits: 1, misses: 2, coalesced: 0, staleServed: 0 })
  })

  it('reads every time with ttlMs 0', async () => {
    const kept = new KeptReads<number>({ ttlMs: 0, staleIfErrorMs: 0, maxEntries: 10 })
    let reads = 0
    const load = (): Promise<number> => Promise.resolve(++reads)
    await kept.get('k', load, new AbortController().signal, never)
    await kept.get('k', load, new AbortController().signal, never)
    expect(reads).toBe(2)
    expect(kept.fresh('k')).toBeUndefined()
  })

  it('serves the last value, marked stale, for a failure it accepts within the window', async () => {
    const time = clock()
    const kept = new KeptReads<string>({ ttlMs: 10, staleIfErrorMs: 1000, maxEntries: 10, now: time.now })
    const signal = new AbortController().signal
    await kept.get('k', () => Promise.resolve('old'), signal, always)
    time.advance(500)
    const down = (): Promise<string> => Promise.reject(new Error('down'))
    expect(await kept.get('k', down, signal, always)).toEqual({ value: 'old', stale: true, ageMs: 500 })
    await expect(kept.get('k', down, signal, never)).rejects.toThrow('down')
    time.advance(501)
    await expect(kept.get('k', down, signal, always)).rejects.toThrow('down')
    expect(kept.stats().staleServed).toBe(1)
  })

  it('never serves stale with staleIfErrorMs 0, and a failure never replaces the kept value', async () => {
    const time = clock()
    const kept = new KeptReads<string>({ ttlMs: 10, staleIfErrorMs: 0, maxEntries: 10, now: time.now })
    const signal = new AbortController().signal
    await kept.get('k', () => Promise.resolve('v'), signal, always)
    time.advance(11)
    await expect(kept.get('k', () => Promise.reject(new Error('down')), signal, always)).rejects.toThrow('down')
    const withStale = new KeptReads<string>({ ttlMs: 10, staleIfErrorMs: 100, maxEntries: 10, now: time.now })
    await withStale.get('k', () => Promise.resolve('v'), signal, always)
    time.advance(11)
    await expect(withStale.get('k', () => Promise.reject(new Error('down')), signal, never)).rejects.toThrow('down')
    expect(await withStale.get('k', () => Promise.reject(new Error('down')), signal, always)).toMatchObject({ value: 'v', stale: true })
  })

  it('shares a read in flight and counts the callers that joined it', async () => {
    const kept = new KeptReads<string>({ ttlMs: 1000, staleIfErrorMs: 0, maxEntries: 10 })
    let reads = 0
    let answer: (value: string) => void = () => {}
    const load = (): Promise<string> => {
      reads++
      return new Promise((resolve) => { answer = resolve })
    }
    const waits = Array.from({ length: 5 }, () => kept.get('k', load, new AbortController().signal, never))
    answer('one')
    expect((await Promise.all(waits)).map((served) => served.value)).toEqual(['one', 'one', 'one', 'one', 'one'])
    expect(reads).toBe(1)
    expect(kept.stats()).toMatchObject({ misses: 1, coalesced: 4 })
  })

  it('keeps at most maxEntries keys, dropping the one read longest ago', async () => {
    const kept = new KeptReads<string>({ ttlMs: 1000, staleIfErrorMs: 0, maxEntries: 2 })
    const signal = new AbortController().signal
    for (const key of ['a', 'b', 'c']) {
      await kept.get(key, () => Promise.resolve(key), signal, never)
    }
    expect(kept.stats().entries).toBe(2)
    expect(kept.fresh('a')).toBeUndefined()
    expect(kept.fresh('c')?.value).toBe('c')
  })
})
