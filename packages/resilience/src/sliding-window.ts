import { now } from './internal/clock.js'

const BUCKETS = 10

/**
 * Counters over the last `windowMs`, kept in ten rotating buckets of `windowMs / 10` each.
 *
 * Every operation is O(1) and allocation-free, however many events the window holds: opossum's
 * rolling window re-sorts its samples on every failure, which makes a busy breaker slower the more
 * it is needed. The price is granularity: an event leaves the window between 0.9 and 1.0
 * `windowMs` after it happened.
 */
export class SlidingWindow {
  /** The span counted, in milliseconds. */
  readonly windowMs: number

  private readonly fields: number
  private readonly bucketMs: number
  private readonly counts: Float64Array
  private readonly totals: Float64Array
  private bucketId = -Infinity

  /** `fields` independent counters share the window (e.g. calls, failures, slow calls). */
  constructor(windowMs: number, fields: number) {
    if (!(windowMs > 0)) {
      throw new RangeError(`windowMs must be positive, got ${windowMs}`)
    }
    this.windowMs = windowMs
    this.fields = fields
    this.bucketMs = windowMs / BUCKETS
    this.counts = new Float64Array(BUCKETS * fields)
    this.totals = new Float64Array(fields)
  }

  /** Adds `amount` (default 1) to counter `field` at the current time. */
  add(field: number, amount = 1): void {
    const slot = this.rotate()
    this.counts[slot * this.fields + field]! += amount
    this.totals[field]! += amount
  }

  /** The sum of counter `field` over the window. */
  total(field: number): number {
    this.rotate()
    return this.totals[field]!
  }

  /** Adds 1 to counters `first` and `second` at the current time, reading the clock once. */
  addBoth(first: number, second: number): void {
    const base = this.rotate() * this.fields
    this.counts[base + first]! += 1
    this.counts[base + second]! += 1
    this.totals[first]! += 1
    this.totals[second]! += 1
  }

  /**
   * The sum of counter `field` as of the last {@link add} or {@link total}, without reading the
   * clock: for a second counter read right after the first.
   */
  lastTotal(field: number): number {
    return this.totals[field]!
  }

  /** Forgets everything. */
  clear(): void {
    this.counts.fill(0)
    this.totals.fill(0)
    this.bucketId = -Infinity
  }

  /** Moves to the bucket that holds the current time, emptying those that left the window. */
  private rotate(): number {
    const id = Math.floor(now() / this.bucketMs)
    const previous = this.bucketId
    if (id !== previous) {
      const steps = previous === -Infinity ? BUCKETS : Math.min(BUCKETS, id - previous)
      for (let step = 1; step <= steps; step++) {
        const slot = (((id - steps + step) % BUCKETS) + BUCKETS) % BUCKETS
        const base = slot * this.fields
        for (let field = 0; field < this.fields; field++) {
          this.totals[field]! -= this.counts[base + field]!
          this.counts[base + field] = 0
        }
      }
      this.bucketId = id
    }
    return ((id % BUCKETS) + BUCKETS) % BUCKETS
  }
}
