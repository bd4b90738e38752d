import { describe, expect, it } from 'vitest'

import { KeptStock } from '../../src/cache/kept-stock.js'

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1000
  return { now: () => time, advance: (ms) => { time += ms } }
}

describe('KeptStock', () => {
  it('splits ids into fresh stock and ids to ask for, in order', () => {
    const time = clock()
    const stock = new KeptStock({ ttlMs: 100, staleIfErrorMs: 0, maxEntries: 100, now: time.now })
    stock.remember([{ product_id: 2, inventory: 5 }, { product_id: 4, inventory: 0 }])
    const { known, missing } = stock.lookUp([1, 2, 3, 4])
    expect([...known]).toEqual([[2, 5], [4, 0]])
    expect(missing).toEqual([1, 3])
    time.advance(100)
    expect(stock.lookUp([2, 4]).missing).toEqual([2, 4])
    expect(stock.stats()).toMatchObject({ hits: 2, misses: 4 })
  })

  it('asks for everything with ttlMs 0 but still keeps stock for stale-if-error', () => {
    const time = clock()
    const stock = new KeptStock({ ttlMs: 0, staleIfErrorMs: 1000, maxEntries: 100, now: time.now })
    stock.remember([{ product_id: 1, inventory: 7 }])
    expect(stock.lookUp([1]).missing).toEqual([1])
    time.advance(1000)
    expect(stock.stale(1)).toBe(7)
    time.advance(1)
    expect(stock.stale(1)).toBeUndefined()
    expect(stock.stale(2)).toBeUndefined()
    expect(stock.stats().staleServed).toBe(1)
  })

  it('keeps at most maxEntries products, dropping the ones read longest ago', () => {
    const stock = new KeptStock({ ttlMs: 1000, staleIfErrorMs: 1000, maxEntries: 2 })
    stock.remember([{ product_id: 1, inventory: 1 }, { product_id: 2, inventory: 2 }])
    stock.remember([{ product_id: 3, inventory: 3 }])
    expect(stock.stats().entries).toBe(2)
    expect(stock.lookUp([1, 2, 3]).missing).toEqual([1])
  })
})
