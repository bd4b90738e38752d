import { MAX_ID, idParam } from '@storefront/service-kit'

import { MAX_LINE_QUANTITY } from '../../domain/add-cart-item.js'

/** A cart line in an answer. */
export const cartLine = {
  type: 'object',
  required: ['product_id', 'quantity'],
  properties: {
    product_id: { type: 'integer' },
    quantity: { type: 'integer' },
  },
} as const

/** `/users/:id/…`: ids are validated as strings (no coercion), then range-checked by `parseId`. */
export const userParams = { type: 'object', required: ['id'], properties: { id: idParam } } as const

/** `/users/:id/cart/items/:product_id`. */
export const lineParams = { type: 'object', required: ['id', 'product_id'], properties: { id: idParam, product_id: idParam } } as const

/** The body of `POST /users/{id}/cart/items`. Unknown fields and wrong JSON types are a 400. */
export const addItemBody = {
  type: 'object',
  additionalProperties: false,
  required: ['product_id'],
  properties: {
    product_id: { type: 'integer', minimum: 1, maximum: MAX_ID },
    quantity: { type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY },
  },
} as const

/** What {@link addItemBody} lets through. */
export interface AddItemBody {
  readonly product_id: number
  readonly quantity?: number
}

/** The name of the header that makes an add idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

/**
 * `Idempotency-Key`: 1..255 printable ASCII characters (space to tilde). Optional; other headers
 * pass untouched.
 */
export const addItemHeaders = {
  type: 'object',
  properties: {
    [IDEMPOTENCY_KEY_HEADER]: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  },
} as const
