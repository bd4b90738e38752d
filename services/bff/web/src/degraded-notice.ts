/** Names of the page's parts as a shopper would say them. */
const PART_NAMES: Readonly<Record<string, string>> = {
  products: 'the catalogue',
  inventory: 'stock levels',
  cart: 'your cart',
  favorites: 'your favorites',
}

/** What the BFF answers, instead of a failure reason, for a part served from memory. */
const STALE = 'stale'

/**
 * The words of the page's degraded banner, from each degraded part (`inventory`, `cart`, …) and
 * the reasons given for it: more than one when the products shown came from several answers.
 * A part with a failure reason is named as unavailable; a part served from memory (`"stale"`)
 * gets a sentence saying it may be out of date. Empty when nothing is degraded.
 *
 * @example
 * describeDegraded(new Map([['inventory', new Set(['timeout'])]]))
 * // 'Some information is unavailable right now: stock levels. The rest of the page is up to date.'
 */
export function describeDegraded(parts: ReadonlyMap<string, ReadonlySet<string>>): string {
  const missing = [...parts].filter(([, reasons]) => [...reasons].some((reason) => reason !== STALE)).map(([part]) => PART_NAMES[part] ?? part)
  const saved = (part: string): boolean => parts.get(part)?.has(STALE) === true
  const sentences: string[] = []
  if (missing.length > 0) {
    sentences.push(`Some information is unavailable right now: ${missing.join(', ')}.`)
  }
  if (saved('products')) {
    sentences.push('Showing a saved catalogue while the live one cannot be reached: products and prices may be out of date.')
  }
  if (saved('inventory')) {
    sentences.push('Some stock levels are saved values and may be out of date.')
  }
  if (missing.length > 0 && sentences.length === 1) {
    sentences.push('The rest of the page is up to date.')
  }
  return sentences.join(' ')
}
