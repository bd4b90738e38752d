import { defineErrors } from '@storefront/service-kit'

/** The cart service's error codes. */
export const cartErrors = defineErrors({
  QUANTITY_LIMIT: ['CART_ERR_QUANTITY_LIMIT', 'Quantity limit exceeded', 422],
  IDEMPOTENCY_KEY_REUSED: ['CART_ERR_IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused with another request', 422],
  IDEMPOTENCY_KEY_IN_PROGRESS: ['CART_ERR_IDEMPOTENCY_KEY_IN_PROGRESS', 'Idempotency key in use by a request still running', 409],
})
