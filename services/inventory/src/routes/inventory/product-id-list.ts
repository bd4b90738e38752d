import { ID_PATTERN, MAX_ID, MAX_PRODUCT_IDS } from '@storefront/contracts'
import { AppError, parseId } from '@storefront/service-kit'
import { Type } from 'typebox'

import { inventoryErrors } from '../../errors.js'

// One id as the contract spells it, without its anchors, so the list accepts exactly the ids the path does.
const ID = ID_PATTERN.replace(/^\^/, '').replace(/\$$/, '')

/**
 * `product_ids`: ids joined by single commas; no spaces, signs, empty entries or trailing comma.
 * The length cap lets a huge query string fail on its length before the pattern reads it.
 */
export const ProductIdList = Type.String({
  minLength: 1,
  maxLength: MAX_PRODUCT_IDS * String(MAX_ID).length + (MAX_PRODUCT_IDS - 1),
  pattern: `^${ID}(?:,${ID})*$`,
})

/**
 * Turns a `product_ids` value that passed the {@link ProductIdList} schema into ids: 400 when it
 * holds more than {@link MAX_PRODUCT_IDS} entries or an id past 2147483647.
 *
 * Duplicates are answered once, in the order each id is first seen (`3,1,3` → 3, 1): a repeated
 * id adds nothing, and repeating its item would let one request multiply its own answer. The cap
 * counts entries as sent, duplicates included, so it bounds the work of parsing too.
 */
export function parseProductIds(list: string): number[] {
  const entries = list.split(',')
  if (entries.length > MAX_PRODUCT_IDS) {
    throw new AppError(inventoryErrors.TOO_MANY_IDS, `product_ids holds ${entries.length} ids; at most ${MAX_PRODUCT_IDS} are allowed`)
  }
  const ids = new Set<number>()
  for (const [index, entry] of entries.entries()) {
    ids.add(parseId(entry, `product_ids[${index}]`))
  }
  return [...ids]
}
