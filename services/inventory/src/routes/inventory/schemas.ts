import { ID_PATTERN, MAX_ID, idParam } from '@storefront/service-kit'

/** The most ids one `GET /inventory` may ask for (the HTTP contract). */
export const MAX_PRODUCT_IDS = 1000

// One id as the kit spells it, without its anchors, so the list accepts exactly the ids the path does.
const ID = ID_PATTERN.replace(/^\^/, '').replace(/\$$/, '')

/**
 * `product_ids`: ids joined by single commas; no spaces, signs, empty entries or trailing comma.
 * The length cap lets a huge query string fail on its length before the pattern reads it.
 */
const productIdList = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_PRODUCT_IDS * String(MAX_ID).length + (MAX_PRODUCT_IDS - 1),
  pattern: `^${ID}(?:,${ID})*$`,
} as const

/** `GET /products/{id}/inventory`: the id, validated as a string (no coercion). */
export const productParams = { type: 'object', required: ['id'], properties: { id: idParam } } as const

/** A route that takes no query parameters: an unknown one is a 400, as on `GET /inventory`. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const

/** `GET /inventory`: `product_ids` and nothing else. */
export const inventoryQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['product_ids'],
  properties: { product_ids: productIdList },
} as const

/** 200 of `GET /products/{id}/inventory`. */
export const stockAnswer = {
  type: 'object',
  required: ['inventory'],
  properties: { inventory: { type: 'integer' } },
} as const

/** 200 of `GET /inventory`. */
export const stockListAnswer = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['product_id', 'inventory'],
        properties: { product_id: { type: 'integer' }, inventory: { type: 'integer' } },
      },
    },
  },
} as const
