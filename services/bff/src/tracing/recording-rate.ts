/** Options of {@link RecordingRate}. */
export interface RecordingRateOptions {
  /** Pages recorded per second, on average, at most. */
  readonly perSecond: number
  /** Pages that may be recorded at once after a quiet spell. Defaults to `perSecond`. */
  readonly burst?: number
  /** The clock, in ms. Defaults to `performance.now`. */
  readonly now?: () => number
}

/**
 * How many pages a second the BFF records for its dashboard: every page while traffic is light,
 * a steady sample of them once it is heavy. Recording a page costs some tens of microseconds of
 * CPU, several times what serving it untraced costs per downstream call; capped, the cost stays a
 * fixed share of a second however busy the BFF is, and the sample still holds the slow and the
 * degraded pages of a bad minute, since at that rate there are many of each.
 *
 * A token bucket: `burst` tokens, refilled at `perSecond`; each recorded page takes one.
 */
export class RecordingRate {
  readonly #perMs: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #refilledAt: number

  constructor(options: RecordingRateOptions) {
    if (!(options.perSecond > 0)) {
      throw new RangeError(`perSecond must be above 0, got ${options.perSecond}`)
    }
    this.#perMs = options.perSecond / 1000
    this.#burst = Math.max(1, options.burst ?? options.perSecond)
    this.#now = options.now ?? (() => performance.now())
    this.#tokens = this.#burst
    this.#refilledAt = this.#now()
  }

  /** True, and one token spent, when a page starting now may be recorded. */
  take(): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#refilledAt) * this.#perMs)
    this.#refilledAt = now
    if (this.#tokens < 1) {
      return false
    }
    this.#tokens--
    return true
  }
}
