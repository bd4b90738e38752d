/** Options of {@link LatencyTracker}. */
export interface LatencyTrackerOptions {
  /** Recent samples kept. Defaults to 256. */
  readonly size?: number
  /** Samples needed before a quantile is trusted. Defaults to 20. */
  readonly minSamples?: number
}

/**
 * The recent latencies of one kind of call, and their quantiles: what a hedge delay is derived
 * from, so that only the slowest few percent of calls get a second copy. A ring of the last `size`
 * samples; the sorted copy is rebuilt at most every `size / 8` samples, so reading a quantile on
 * every request costs an array index, not a sort.
 */
export class LatencyTracker {
  readonly #samples: Float64Array
  readonly #minSamples: number
  #count = 0
  #next = 0
  #sorted: Float64Array | undefined
  #sinceSort = 0

  constructor(options: LatencyTrackerOptions = {}) {
    this.#samples = new Float64Array(options.size ?? 256)
    this.#minSamples = options.minSamples ?? 20
  }

  /** Records one latency, in ms. */
  record(ms: number): void {
    this.#samples[this.#next] = ms
    this.#next = (this.#next + 1) % this.#samples.length
    this.#count = Math.min(this.#count + 1, this.#samples.length)
    this.#sinceSort++
  }

  /** The `q` quantile (0..1) of the recent samples, in ms; `undefined` until there are enough. */
  quantile(q: number): number | undefined {
    if (this.#count < this.#minSamples) {
      return undefined
    }
    if (this.#sorted === undefined || this.#sinceSort >= Math.max(1, this.#samples.length >> 3)) {
      this.#sorted = this.#samples.slice(0, this.#count).sort()
      this.#sinceSort = 0
    }
    const sorted = this.#sorted
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  }
}
