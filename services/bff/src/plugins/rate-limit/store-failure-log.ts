import type { FastifyBaseLogger } from 'fastify'

/** The least time between two warnings about the rate limit's store, in ms: a minute. */
export const STORE_WARNING_INTERVAL_MS = 60_000

/**
 * Tells the log that the shared rate limit's store is failing, at most once every
 * {@link STORE_WARNING_INTERVAL_MS}: while Redis is down every request fails its check, and a line
 * each would bury the rest of the log. Each warning says how many requests went through without
 * the limit since the one before (`unchecked`); `/metrics` has the exact count. Once connected again
 * after a warning, it says so once.
 */
export class StoreFailureLog {
  readonly #log: FastifyBaseLogger
  readonly #store: string
  readonly #now: () => number
  #lastWarnedAt: number | undefined
  #uncheckedSinceWarning = 0
  #warnedSinceConnected = false

  /**
   * @param store where the store is, as the log may show it (no password)
   * @param now the clock, in ms (`performance.now` unless a test gives another)
   */
  constructor(log: FastifyBaseLogger, store: string, now: () => number = () => performance.now()) {
    this.#log = log
    this.#store = store
    this.#now = now
  }

  /** A request went through without the limit, because its check failed with `error`. */
  checkFailed(error: Error): void {
    this.#uncheckedSinceWarning++
    this.#warn(error)
  }

  /** The connection failed (refused, dropped, unanswered), whether or not a request was waiting. */
  connectionFailed(error: Error): void {
    this.#warn(error)
  }

  /** The client is connected and ready. */
  connected(): void {
    if (this.#warnedSinceConnected) {
      this.#warnedSinceConnected = false
      this.#log.info({ store: this.#store }, 'rate limit store reachable again: the limit is shared again')
    }
  }

  #warn(error: Error): void {
    const now = this.#now()
    if (this.#lastWarnedAt !== undefined && now - this.#lastWarnedAt < STORE_WARNING_INTERVAL_MS) {
      return
    }
    this.#lastWarnedAt = now
    this.#warnedSinceConnected = true
    this.#log.warn(
      { store: this.#store, err: error, unchecked: this.#uncheckedSinceWarning },
      'rate limit store failing: requests go through without the limit until it answers again',
    )
    this.#uncheckedSinceWarning = 0
  }
}
