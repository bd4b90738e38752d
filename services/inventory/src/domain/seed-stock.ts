/** The most stock a seeded product gets; the least is 0. */
const MAX_SEED_STOCK = 100

/**
 * A product's seeded stock, 0..{@link MAX_SEED_STOCK}: random-looking, as the contract's seed data
 * asks (docs/spec/api.md, "Seed data": inventory 0..100 for each product), but a pure function of
 * the id, so every seeded database holds the same numbers and tests can name them. The rows are
 * written by `seedInventory`: the demo rows (`SEED_DEMO_DATA=true`, once per database) and
 * `db:seed`; no migration writes stock.
 *
 * The id goes through a 32-bit integer hash (Chris Wellons' "lowbias32") rather than a PRNG stream,
 * so a product's stock does not depend on how many products are seeded or in what batches. Changing
 * this function changes every database seeded afterwards: a test pins its first values.
 */
export function seedStock(productId: number): number {
  let x = productId >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return (x >>> 0) % (MAX_SEED_STOCK + 1)
}
