import { describe, expect, it } from 'vitest'

import { answerCheck } from './answer-check.js'
import { CartLines, Product, ProductList, StockList } from './index.js'

describe('answerCheck', () => {
  const stock = answerCheck(StockList, 'inventory')

  it('returns an answer as the contract says, the same object', () => {
    const answer = { items: [{ product_id: 1, inventory: 0 }] }
    expect(stock(answer)).toBe(answer)
  })

  it.each([
    [null, 'inventory: '],
    [{ items: {} }, 'inventory/items: '],
    [{ items: [{ product_id: 0, inventory: 1 }] }, 'inventory/items/0/product_id: '],
    [{ items: [{ product_id: 1, inventory: -1 }] }, 'inventory/items/0/inventory: '],
    [{ items: [{ product_id: 1, inventory: 1.5 }] }, 'inventory/items/0/inventory: '],
    [{ items: [{ product_id: 1 }] }, 'inventory/items/0: '],
  ])('names where %j breaks the contract', (answer, where) => {
    expect(() => stock(answer)).toThrow(TypeError)
    expect(() => stock(answer)).toThrow(where)
  })

  it('keeps the fields of a product the contract does not name', () => {
    const products = [{ product_id: 7, product_name: 'Mug', price_cents: 1200, colour: 'blue' }]
    expect(answerCheck(ProductList, 'products')(products)).toEqual(products)
    expect(() => answerCheck(Product, 'product')({ product_id: 7 })).toThrow('product: ')
  })

  it('refuses a cart line past the largest quantity', () => {
    expect(() => answerCheck(CartLines, 'cart')([{ product_id: 1, quantity: 1000 }])).toThrow('cart/0/quantity: ')
  })
})
