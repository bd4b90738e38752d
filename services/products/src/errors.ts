import { defineErrors } from '@storefront/service-kit'

/** The products service's error codes. */
export const productsErrors = defineErrors({
  PRODUCT_NOT_FOUND: ['PRODUCTS_ERR_NOT_FOUND', 'Product not found', 404],
  BAD_PAGE: ['PRODUCTS_ERR_BAD_PAGE', 'Bad page request', 400],
})
