import { describe, expect, it } from 'vitest'

import { describeDegraded } from '../../web/src/degraded-notice.js'

const parts = (entries: Record<string, string[]>): Map<string, Set<string>> =>
  new Map(Object.entries(entries).map(([part, reasons]) => [part, new Set(reasons)]))

describe('describeDegraded', () => {
  it('says nothing when nothing is degraded', () => {
    expect(describeDegraded(new Map())).toBe('')
  })

  it('names each failed part as a shopper would, and says the rest is up to date', () => {
    expect(describeDegraded(parts({ cart: ['timeout'], inventory: ['circuit_open'] })))
      .toBe('Some information is unavailable right now: your cart, stock levels. The rest of the page is up to date.')
  })

  it('says a saved catalogue is shown when products is stale', () => {
    expect(describeDegraded(parts({ products: ['stale'] })))
      .toBe('Showing a saved catalogue while the live one cannot be reached: products and prices may be out of date.')
  })

  it('says stock levels are saved values when inventory is stale, and that some are missing when another page lost them', () => {
    expect(describeDegraded(parts({ inventory: ['stale'] }))).toBe('Some stock levels are saved values and may be out of date.')
    expect(describeDegraded(parts({ inventory: ['stale', 'timeout'], favorites: ['error'] }))).toBe(
      'Some information is unavailable right now: stock levels, your favorites. Some stock levels are saved values and may be out of date.',
    )
  })

  it('names a part it has no words for by its own name', () => {
    expect(describeDegraded(parts({ reviews: ['error'] }))).toBe('Some information is unavailable right now: reviews. The rest of the page is up to date.')
  })
})
