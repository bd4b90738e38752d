import { AdaptiveLimiter, isLimitExceededError } from '@storefront/resilience'
import { AppError, kitErrors } from '@storefront/service-kit'

/**
 * Where the limit starts: above what a healthy system runs at (32 connections of a load test keep
 * about 32 pages in flight), so that nothing is shed before the algorithm has seen the latency.
 */
const INITIAL_LIMIT = 100

/**
 * The lowest the limit goes. Under overload a page's latency includes the time the event loop
 * spends refusing the excess, so the gradient keeps falling; with a floor of 8 the chaos run's
 * overload admitted 8% of capacity, with 32 it admitted 25% and shed in 66 ms instead of 1 s at
 * the p99. Below about the number of pages one core finishes in a page's latency, the BFF idles
 * between pages while its downstreams answer and sheds work it could finish.
 */
const MIN_LIMIT = 32

/** How long a shed client is asked to wait, in seconds: the limit moves within a second. */
const RETRY_AFTER_S = '1'

/**
 * Admission of pages under an adaptive concurrency limit ({@link AdaptiveLimiter}, gradient): it
 * rises while pages keep their latency and falls as soon as they queue, so more work than the
 * system can finish within its budgets is refused at once (503 `SVC_ERR_OVERLOADED` with
 * `retry-after`) instead of waiting in line until every page misses its deadline. There is no
 * number to tune; `MAX_CONCURRENT_PAGES` only caps it.
 */
export class PageAdmission {
  /** The limit itself, for metrics and the dashboard. */
  readonly limiter: AdaptiveLimiter
  private shedCount = 0

  constructor(maxConcurrentPages: number) {
    this.limiter = new AdaptiveLimiter({
      initial: Math.min(INITIAL_LIMIT, maxConcurrentPages),
      min: Math.min(MIN_LIMIT, maxConcurrentPages),
      max: maxConcurrentPages,
    })
  }

  /** Pages refused since start. */
  get shed(): number {
    return this.shedCount
  }

  /**
   * Builds a page with `page` if the limit lets it in. Refused, it throws the 503 at once, before
   * any downstream is called; aborting `signal` rejects with its reason.
   */
  async admit<T>(page: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await this.limiter.execute((context) => page(context.signal), { signal })
    } catch (error) {
      if (!isLimitExceededError(error)) {
        throw error
      }
      this.shedCount++
      throw new AppError(kitErrors.OVERLOADED, `More pages are in progress than the BFF can finish in time (${error.limit}); try again shortly.`, { headers: { 'retry-after': RETRY_AFTER_S } })
    }
  }
}
