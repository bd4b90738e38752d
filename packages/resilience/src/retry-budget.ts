import { SlidingWindow } from './sliding-window.js'

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per original request, e.g. `0.2` for at most one retry per five requests. Defaults to 0.2. */
  readonly ratio?: number
  /** Retries always allowed per second, so a quiet service can still retry. Defaults to 10. */
  readonly minPerSecond?: number
  /** How far back requests and retries are counted, in milliseconds. Defaults to 10 000. */
  readonly windowMs?: number
}

/** A snapshot of a {@link RetryBudget}. */
export interface RetryBudgetStats {
  /** Original requests counted in the window. */
  readonly requests: number
  /** Retries spent in the window. */
  readonly retries: number
  /** Retries that would be allowed right now. */
  readonly available: number
}

const REQUESTS = 0
const RETRIES = 1

/**
 * A Finagle/Envoy-style retry budget: retries are allowed only while they stay under `ratio` of
 * the requests seen in the last `windowMs` (plus a floor of `minPerSecond`). In an outage every
 * request fails and wants a retry; a budget keeps retries from multiplying the load on the service
 * that is already struggling. Share one budget among all calls to one downstream.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5, windowMs: 10_000 })
 * await retry(call, { maxAttempts: 3, budget })
 */
export class RetryBudget {
  /** Retries allowed per original request. */
  readonly ratio: number
  /** Retries always allowed per second. */
  readonly minPerSecond: number
  /** The counting window, in milliseconds. */
  readonly windowMs: number

  private readonly window: SlidingWindow

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.2
    this.minPerSecond = options.minPerSecond ?? 10
    this.windowMs = options.windowMs ?? 10_000
    if (!(this.ratio >= 0) || !(this.minPerSecond >= 0) || !(this.windowMs > 0)) {
      throw new RangeError('RetryBudget needs ratio >= 0, minPerSecond >= 0 and windowMs > 0')
    }
    this.window = new SlidingWindow(this.windowMs, 2)
  }

  /** Counts one original (non-retry) request. {@link retry} calls this once per call. */
  recordRequest(): void {
    this.window.add(REQUESTS)
  }

  /** Takes one retry from the budget if one is available; `false` means "do not retry". */
  tryAcquireRetry(): boolean {
    // A hair of tolerance so that, say, 10 requests at ratio 0.1 allow exactly one retry.
    if (this.available() < 1 - 1e-9) {
      return false
    }
    this.window.add(RETRIES)
    return true
  }

  /** Counts of the current window. */
  get stats(): RetryBudgetStats {
    return {
      requests: this.window.total(REQUESTS),
      retries: this.window.total(RETRIES),
      available: Math.max(0, Math.floor(this.available())),
    }
  }

  private available(): number {
    const allowance = this.window.total(REQUESTS) * this.ratio + (this.minPerSecond * this.windowMs) / 1000
    return allowance - this.window.total(RETRIES)
  }
}
