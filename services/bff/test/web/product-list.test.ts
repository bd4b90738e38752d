import { describe, expect, it } from 'vitest'

import { ProductList } from '../../web/src/product-list.js'

interface Product {
  readonly product_id: number
  readonly name: string
}

/** Products `from`..`to`, named after the answer they came in (`tag`). */
const products = (from: number, to: number, tag = 'first'): Product[] =>
  Array.from({ length: to - from + 1 }, (_, index) => ({ product_id: from + index, name: `${tag} ${from + index}` }))

const ids = (list: ProductList<Product>): number[] => list.products().map((product) => product.product_id)

describe('ProductList', () => {
  it('shows nothing and offers no next page before the first answer', () => {
    const list = new ProductList<Product>()
    expect([list.size, list.started, list.complete, list.nextAfter, list.coveredThrough]).toEqual([0, false, false, null, 0])
  })

  it('appends each next page, and offers the next page after the last id until an answer says there is none', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 3), 3, {})
    expect([ids(list), list.nextAfter]).toEqual([[1, 2, 3], 3])
    list.accept(3, products(4, 6), 6, {})
    expect([ids(list), list.nextAfter]).toEqual([[1, 2, 3, 4, 5, 6], 6])
    list.accept(6, products(7, 7), null, {})
    expect([ids(list), list.nextAfter, list.complete, list.coveredThrough]).toEqual([[1, 2, 3, 4, 5, 6, 7], null, true, Infinity])
  })

  it('is complete after one answer when the catalogue fits in it, and empty when the catalogue is', () => {
    const small = new ProductList<Product>()
    small.accept(0, products(1, 10), null, {})
    expect([small.size, small.complete, small.nextAfter]).toEqual([10, true, null])
    const empty = new ProductList<Product>()
    empty.accept(0, [], null, {})
    expect([empty.size, empty.started, empty.complete]).toEqual([0, true, true])
  })

  it('replaces the products an answer covers and keeps the pages beyond it: a refresh of the first page arriving after "Load more"', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 3), 3, {})
    list.accept(3, products(4, 6), 6, {})
    // Product 2 was removed from the catalogue meanwhile.
    list.accept(0, [...products(1, 1, 'again'), ...products(3, 3, 'again')], 3, {})
    expect(list.products().map((product) => product.name)).toEqual(['again 1', 'again 3', 'first 4', 'first 5', 'first 6'])
    expect(list.nextAfter).toBe(6)
  })

  it('shows no product twice when "Load more" answers after a refresh that already brought its page', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 3), 3, {})
    list.accept(0, products(1, 6, 'refresh'), 6, {})
    list.accept(3, products(4, 6, 'more'), 6, {})
    expect(list.products().map((product) => product.name)).toEqual(['refresh 1', 'refresh 2', 'refresh 3', 'more 4', 'more 5', 'more 6'])
  })

  it('drops products past the end when an answer says the catalogue ends sooner', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 3), 3, {})
    list.accept(3, products(4, 6), 6, {})
    list.accept(0, products(1, 4), null, {})
    expect([ids(list), list.complete]).toEqual([[1, 2, 3, 4], true])
  })

  it('ignores an answer that starts past what is covered, which would leave a gap', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 3), 3, {})
    list.accept(6, products(7, 9), 9, {})
    expect([ids(list), list.nextAfter]).toEqual([[1, 2, 3], 3])
  })

  it('counts the products shown between two ids, the upper one included', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 5), 5, {})
    expect([list.countBetween(0, 5), list.countBetween(2, 4), list.countBetween(0, Infinity), list.countBetween(5, Infinity)]).toEqual([5, 2, 5, 0])
  })

  it('gives the reasons for a part from every answer behind the products shown, and forgets an answer once all of its products are replaced', () => {
    const list = new ProductList<Product>()
    list.accept(0, products(1, 3), 3, { inventory: 'stale' })
    list.accept(3, products(4, 6), 6, { inventory: 'timeout', cart: 'error' })
    expect([...list.reasonsFor('inventory')].sort()).toEqual(['stale', 'timeout'])
    expect([...list.reasonsFor('products')]).toEqual([])
    list.accept(0, products(1, 6), 6, { products: 'stale' })
    expect([[...list.reasonsFor('inventory')], [...list.reasonsFor('products')]]).toEqual([[], ['stale']])
  })
})
