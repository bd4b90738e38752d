import { AppError, parseId } from '@storefront/service-kit'

import { inventoryErrors } from '../../errors.js'
import { MAX_PRODUCT_IDS } from './schemas.js'

/**
 * Turns a `product_ids` value that passed the `productIdList` schema into ids: 400 when it holds more
 * than {@link MAX_PRODUCT_IDS} entries or an id past 2147483647.
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
