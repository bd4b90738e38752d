import { defineErrors } from '@storefront/service-kit'

/** The inventory service's error codes. */
export const inventoryErrors = defineErrors({
  STOCK_NOT_FOUND: ['INVENTORY_ERR_NOT_FOUND', 'No stock for this product', 404],
  TOO_MANY_IDS: ['INVENTORY_ERR_TOO_MANY_IDS', 'Too many product ids', 400],
})
