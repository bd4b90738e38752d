import { IdParam } from '@storefront/contracts'
import { Type } from 'typebox'

/** The params of a route addressed by a product id, `/…/{product_id}`. */
export const ProductIdParams = Type.Object({ product_id: IdParam })
