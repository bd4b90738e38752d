import { Type } from 'typebox'

import { Id } from './ids.js'

/** The most of one product a cart line may hold. */
export const MAX_LINE_QUANTITY = 999

/** A quantity in a cart line: at least one (a line at zero is removed). */
const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY })

/** One cart line, as `GET /users/{id}/cart` lists and `POST …/cart/items` answers it. */
export const CartLine = Type.Object({ product_id: Id, quantity: Quantity })

/** `GET /users/{id}/cart`. */
export const CartLines = Type.Array(CartLine)

/**
 * The body of `POST /users/{id}/cart/items`: adds `quantity` (1 when left out) to the line.
 * Unknown fields are refused, so a misspelt `quantity` is a 400 rather than an add of one.
 */
export const AddCartItem = Type.Object({ product_id: Id, quantity: Type.Optional(Quantity) }, { additionalProperties: false })

/** The header that makes an add idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

/** An `Idempotency-Key`: 1..255 printable ASCII characters (space to tilde). */
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' })
