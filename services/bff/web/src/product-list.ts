/** What one answer of `GET /products/all` said was missing or old: part name → reason. */
export type DegradedReasons = Readonly<Record<string, string>>

/** A product shown, with what the answer that brought it said. */
interface Entry<P> {
  readonly product: P
  readonly reasons: DegradedReasons
}

/**
 * The products the page shows: the start of the catalogue in `product_id` order, put together
 * from answers of `GET /products/all?limit=N&after=ID`.
 *
 * An answer is the truth about the ids it covers: those after `after`, up to its `next_after`, or
 * to the end of the catalogue when `next_after` is null. Taking it replaces what was shown there
 * and leaves the rest, so answers may arrive in any order (a refresh of what is shown and a "Load
 * more" at once) without losing a page or showing a product twice. What is covered only grows.
 *
 * @example
 * const list = new ProductList<PageProduct>()
 * list.accept(0, page.products, page.next_after, page.degraded_reasons)
 * list.nextAfter // ask `?limit=48&after=${list.nextAfter}` for more, or null: nothing more
 */
export class ProductList<P extends { readonly product_id: number }> {
  #entries: Entry<P>[] = []
  /** The last id covered: 0 before any answer, Infinity once the end of the catalogue is in. */
  #through = 0

  /** How many products are shown. */
  get size(): number {
    return this.#entries.length
  }

  /** Whether any answer has been taken. */
  get started(): boolean {
    return this.#through > 0
  }

  /** Whether the end of the catalogue is shown. */
  get complete(): boolean {
    return this.#through === Infinity
  }

  /** The id the next page starts after, or `null` when nothing is shown yet or nothing is left. */
  get nextAfter(): number | null {
    return this.started && !this.complete ? this.#through : null
  }

  /** The last id covered by the answers taken: 0 before any, Infinity once the end is in. */
  get coveredThrough(): number {
    return this.#through
  }

  /** The products shown, in `product_id` order. */
  products(): P[] {
    return this.#entries.map((entry) => entry.product)
  }

  /** How many products shown have an id after `after` and up to `through` (inclusive). */
  countBetween(after: number, through: number): number {
    let count = 0
    for (const { product } of this.#entries) {
      if (product.product_id > after && product.product_id <= through) {
        count++
      }
    }
    return count
  }

  /**
   * Takes an answer for the products after `after` (0 for the first page): `products` in
   * `product_id` order, `nextAfter` as the BFF sent it, and its `degraded_reasons`. `after` must
   * be covered already (0, or a `nextAfter` or `coveredThrough` seen before): an answer that starts
   * beyond what is covered would leave a gap, and is ignored.
   */
  accept(after: number, products: readonly P[], nextAfter: number | null, reasons: DegradedReasons): void {
    if (after > this.#through) {
      return
    }
    const through = nextAfter ?? Infinity
    this.#entries = [
      ...this.#entries.filter((entry) => entry.product.product_id <= after),
      ...products.map((product) => ({ product, reasons })),
      ...this.#entries.filter((entry) => entry.product.product_id > through),
    ]
    this.#through = Math.max(this.#through, through)
  }

  /** The reasons the answers behind the products shown gave for `part` (`"inventory"`, `"products"`). */
  reasonsFor(part: string): Set<string> {
    const answers = new Set(this.#entries.map((entry) => entry.reasons))
    const reasons = new Set<string>()
    for (const answer of answers) {
      const reason = answer[part]
      if (reason !== undefined) {
        reasons.add(reason)
      }
    }
    return reasons
  }
}
