import { defineErrors } from '@storefront/service-kit'

/**
 * The cart service's refusals that `POST /cart/items` passes on as they are (see
 * `clients/relay-client-error.ts`), for the BFF's OpenAPI document. The cart service owns these
 * codes; they are spelt here as docs/errors.md lists them, and the document's test holds every code
 * of every document to that page.
 */
export const relayedCartErrors = defineErrors({
  QUANTITY_LIMIT: ['CART_ERR_QUANTITY_LIMIT', 'Quantity limit exceeded', 422],
  IDEMPOTENCY_KEY_REUSED: ['CART_ERR_IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused with another request', 422],
  IDEMPOTENCY_KEY_IN_PROGRESS: ['CART_ERR_IDEMPOTENCY_KEY_IN_PROGRESS', 'Idempotency key in use by a request still running', 409],
})
