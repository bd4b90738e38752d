import { ID_PATTERN } from '@storefront/service-kit'

/** The params of a route addressed by a product id, `/…/{product_id}`. */
export const productIdParams = {
  type: 'object',
  required: ['product_id'],
  properties: { product_id: { type: 'string', pattern: ID_PATTERN } },
} as const
