import { createHash } from 'node:crypto'

/**
 * The fingerprint an Idempotency-Key is bound to: sha256 (hex) of the user id and the validated
 * body with its default applied, in a fixed order. So `{"product_id":1}` and
 * `{"product_id":1,"quantity":1}` are the same request, and key order or spacing never matters.
 * The leading tag keeps fingerprints of other operations apart should they take keys one day.
 */
export function requestHash(userId: number, productId: number, quantity: number): string {
  return createHash('sha256').update(JSON.stringify(['cart.add-item.v1', userId, productId, quantity])).digest('hex')
}
