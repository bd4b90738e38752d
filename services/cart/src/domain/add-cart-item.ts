import { MAX_LINE_QUANTITY } from '@storefront/contracts'
import { AppError, type Database, type Queryable } from '@storefront/service-kit'

import { type CartLine, CartRepository } from '../data-access/cart-repository.js'
import { IdempotencyRepository } from '../data-access/idempotency-repository.js'
import { cartErrors } from '../errors.js'
import { requestHash } from './request-hash.js'

/** What `POST /users/{id}/cart/items` asks for, validated. */
export interface AddCartItemRequest {
  readonly userId: number
  readonly productId: number
  /** 1..{@link MAX_LINE_QUANTITY}, the default (1) already applied. */
  readonly quantity: number
  /** The `Idempotency-Key` header, already validated; undefined when absent. */
  readonly idempotencyKey: string | undefined
}

/** The answer to send. */
export interface AddCartItemOutcome {
  /** 201, the add's one success status, whether the add happened now or is replayed. */
  readonly statusCode: typeof CREATED
  /** The line after the add: its new total. */
  readonly line: CartLine
  /** True when this is a stored answer to an earlier request with the same key. */
  readonly replayed: boolean
}

const CREATED = 201

/**
 * Adds to a cart line. Without a key it is one statement. With a key, one transaction:
 *
 * 1. claim the key (insert it without a result); a concurrent request with the same key waits on
 *    the unique index until this transaction ends;
 * 2. if it was already there, answer the stored result (or 422 if it was used with another body);
 * 3. else add, store the answer in the key's row, and commit both together.
 *
 * A refused add (the line would pass {@link MAX_LINE_QUANTITY}) throws, which rolls back the claim:
 * the key is stored only together with the change it answers. The refusal changed nothing, so
 * there is nothing a replay must protect, and a caller who makes room can retry the same key and
 * get its add exactly once. Likewise a request cancelled before its last statement (deadline,
 * client gone) leaves neither the change nor the key behind; one cancelled during COMMIT may have
 * added, and then its retry with the same key finds the stored answer.
 */
export async function addCartItem(db: Database, request: AddCartItemRequest, signal: AbortSignal): Promise<AddCartItemOutcome> {
  const key = request.idempotencyKey
  if (key === undefined) {
    return { statusCode: CREATED, line: await addOrRefuse(db, request, signal), replayed: false }
  }
  const hash = requestHash(request.userId, request.productId, request.quantity)
  return db.transaction(async (tx) => {
    const keys = new IdempotencyRepository(tx)
    // Twice at most: the purge may delete an expired key between our conflicting insert and our
    // read; the second claim then inserts it afresh.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await keys.claim(request.userId, key, hash, signal)) {
        const line = await addOrRefuse(tx, request, signal)
        await keys.complete(request.userId, key, { statusCode: CREATED, body: line }, signal)
        return { statusCode: CREATED, line, replayed: false }
      }
      const stored = await keys.find(request.userId, key, signal)
      if (stored === undefined) {
        continue
      }
      if (stored.requestHash !== hash) {
        throw new AppError(cartErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was first used with another request; use a new key for a new request.')
      }
      if (stored.result === undefined) {
        // Unreachable with either engine (the claim and its result commit together); kept so a row
        // written some other way is answered as the IETF idempotency draft suggests.
        throw new AppError(cartErrors.IDEMPOTENCY_KEY_IN_PROGRESS, 'A request with this Idempotency-Key has not finished; retry shortly.')
      }
      return storedOutcome(stored.result)
    }
    throw new AppError(cartErrors.IDEMPOTENCY_KEY_IN_PROGRESS, 'This Idempotency-Key is changing hands; retry shortly.')
  }, { signal })
}

async function addOrRefuse(db: Queryable, request: AddCartItemRequest, signal: AbortSignal): Promise<CartLine> {
  const line = await new CartRepository(db).add({ userId: request.userId, productId: request.productId, quantity: request.quantity, maxQuantity: MAX_LINE_QUANTITY }, signal)
  if (line === undefined) {
    throw new AppError(cartErrors.QUANTITY_LIMIT, `A cart line holds at most ${MAX_LINE_QUANTITY}; adding ${request.quantity} of product ${request.productId} would pass it.`)
  }
  return line
}

/** A stored answer is our own earlier one (a 201 and its line); checked anyway, since rows outlive code versions. */
function storedOutcome(result: { readonly statusCode: number; readonly body: unknown }): AddCartItemOutcome {
  const line = result.body as Partial<CartLine> | null
  if (result.statusCode !== CREATED || typeof line?.product_id !== 'number' || typeof line.quantity !== 'number') {
    throw new Error('Stored idempotent answer is not a 201 with a cart line')
  }
  return { statusCode: CREATED, line: { product_id: line.product_id, quantity: line.quantity }, replayed: true }
}
