/** Options of {@link KeptStock}. */
export interface KeptStockOptions {
  /** How long a product's stock is served without asking inventory again, in ms; 0 asks every time. */
  readonly ttlMs: number
  /** How long a product's stock may stand in for a failed read, in ms; 0 never. */
  readonly staleIfErrorMs: number
  /** Products kept at most; the one read longest ago goes first. */
  readonly maxEntries: number
  /** The clock, in ms (tests move it by hand). */
  readonly now?: () => number
}

interface Kept {
  readonly inventory: number
  readonly readAt: number
}

/**
 * The stock last read for each product. Stock is kept per product rather than per inventory call:
 * pages of different sizes and offsets ask for different chunks of ids, and each product's figure
 * is fresh or stale on its own.
 */
export class KeptStock {
  private readonly kept = new Map<number, Kept>()
  private readonly now: () => number
  private hitCount = 0
  private missCount = 0
  private staleCount = 0

  constructor(private readonly options: KeptStockOptions) {
    this.now = options.now ?? (() => performance.now())
  }

  /**
   * Splits `ids` into the stock still fresh and the ids to ask inventory for, keeping their order.
   * Counts a hit per product served from memory and a miss per product to ask for.
   */
  lookUp(ids: readonly number[]): { readonly known: Map<number, number>; readonly missing: number[] } {
    const known = new Map<number, number>()
    if (this.options.ttlMs === 0) {
      this.missCount += ids.length
      return { known, missing: [...ids] }
    }
    const missing: number[] = []
    const freshAfter = this.now() - this.options.ttlMs
    for (const id of ids) {
      const kept = this.kept.get(id)
      if (kept !== undefined && kept.readAt > freshAfter) {
        known.set(id, kept.inventory)
      } else {
        missing.push(id)
      }
    }
    this.hitCount += known.size
    this.missCount += missing.length
    return { known, missing }
  }

  /** Keeps stock just read. */
  remember(items: Iterable<{ readonly product_id: number; readonly inventory: number }>): void {
    const readAt = this.now()
    for (const item of items) {
      // Re-inserted, so the map's order is the order of reads and the first key is the oldest.
      this.kept.delete(item.product_id)
      this.kept.set(item.product_id, { inventory: item.inventory, readAt })
    }
    let over = this.kept.size - this.options.maxEntries
    for (const id of this.kept.keys()) {
      if (over-- <= 0) {
        break
      }
      this.kept.delete(id)
    }
  }

  /** The last stock read for `id` when it is within the stale-if-error window, for a failed read. */
  stale(id: number): number | undefined {
    const kept = this.kept.get(id)
    if (kept === undefined || this.now() - kept.readAt > this.options.staleIfErrorMs) {
      return undefined
    }
    this.staleCount++
    return kept.inventory
  }

  /** What this cache has done since it was made, counted per product. */
  stats(): { readonly hits: number; readonly misses: number; readonly staleServed: number; readonly entries: number } {
    return { hits: this.hitCount, misses: this.missCount, staleServed: this.staleCount, entries: this.kept.size }
  }
}
