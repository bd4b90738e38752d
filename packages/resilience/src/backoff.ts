/** How the pause between retries grows. */
export type BackoffKind = 'constant' | 'exponential'

/** What {@link backoffDelay} needs. */
export interface BackoffOptions {
  readonly backoff: BackoffKind
  /** The base pause, in milliseconds. */
  readonly intervalMs: number
  /** The cap on an exponential pause, in milliseconds. */
  readonly maxIntervalMs: number
  /** A number in [0, 1); `Math.random` by default. */
  readonly random?: (() => number) | undefined
}

/**
 * The pause before retry number `retryNumber` (1 for the pause after the first failure).
 *
 * - `constant`: always `intervalMs`.
 * - `exponential`: "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"): a
 *   uniform draw from `[0, min(maxIntervalMs, intervalMs * 2^(retryNumber-1)))`, which spreads
 *   the clients of a recovering service apart instead of sending them back in waves.
 */
export function backoffDelay(retryNumber: number, options: BackoffOptions): number {
  if (options.backoff === 'constant') {
    return options.intervalMs
  }
  // Past retry 1024, 2^(n-1) is Infinity and `0 * Infinity` is NaN: a zero interval must stay
  // zero rather than become a NaN pause.
  const ceiling =
    options.intervalMs === 0 ? 0 : Math.min(options.maxIntervalMs, options.intervalMs * 2 ** (retryNumber - 1))
  return Math.floor((options.random ?? Math.random)() * ceiling)
}
