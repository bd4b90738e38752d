import { AdaptiveLimiter, type LimitPermit } from '@storefront/resilience'
import { kitErrors, problemOf } from '@storefront/service-kit'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Whether the route is a page under the adaptive limit of {@link PageAdmission}: past it, the
     * request is shed with 503 before any other hook runs.
     */
    pageAdmission?: boolean
  }
}

/**
 * Where the limit starts: above what a healthy system runs at (32 connections of a load test keep
 * about 32 pages in flight), so that nothing is shed before the algorithm has seen the latency.
 */
const INITIAL_LIMIT = 100

/**
 * The lowest the limit goes. Below about the number of pages one core finishes in a page's
 * latency, the BFF idles between pages while its downstreams answer, and sheds work it could
 * finish; a page that waits on a slow downstream holds its place without using the core.
 */
const MIN_LIMIT = Number(process.env.XMIN ?? 8)

/** How long a shed client is asked to wait, in seconds: the limit moves within a second. */
const RETRY_AFTER_S = '1'

/** How often, at most, a warning sums up the pages shed, in ms. */
const SHED_REPORT_MS = 1000

const SHED_DETAIL = 'More pages are in progress than the BFF can finish in time; try again shortly.'

/**
 * Admission of pages under an adaptive concurrency limit ({@link AdaptiveLimiter}, gradient): it
 * rises while pages keep their latency and falls as soon as they queue, so more work than the
 * system can finish within its budgets is refused at once (503 `SVC_ERR_OVERLOADED` with
 * `retry-after`) instead of waiting in line until every page misses its deadline. There is no
 * number to tune; `MAX_CONCURRENT_PAGES` only caps it.
 *
 * Its {@link onRequest} hook runs before every other hook of the BFF (security headers, rate
 * limit, sign-in): a refusal must cost a small part of what a page costs, or the refusals
 * themselves fill the core under an overload. So a shed request is answered from a prepared
 * problem, with no error thrown and no line logged; a warning each second sums them up.
 */
export class PageAdmission {
  /** The limit itself, for metrics and the dashboard. */
  readonly limiter: AdaptiveLimiter
  private shedCount = 0
  private reportedCount = 0
  private reportTimer: NodeJS.Timeout | undefined

  constructor(maxConcurrentPages: number, private readonly log: FastifyBaseLogger) {
    this.limiter = new AdaptiveLimiter({
      initial: Math.min(INITIAL_LIMIT, maxConcurrentPages),
      min: Math.min(MIN_LIMIT, maxConcurrentPages),
      max: maxConcurrentPages,
      algorithm: 'vegas',
    })
  }

  /** Pages refused since start. */
  get shed(): number {
    return this.shedCount
  }

  /**
   * The `onRequest` hook that admits a route marked `config.pageAdmission`, holding its place
   * until the answer is sent or the client leaves, or sheds it at once.
   */
  readonly onRequest: onRequestHookHandler = (request, reply, done) => {
    if (request.routeOptions.config.pageAdmission !== true) {
      done()
      return
    }
    const permit = this.limiter.tryAcquire()
    if (permit === undefined) {
      this.refuse(request, reply)
      return
    }
    reply.raw.once('close', () => { settle(permit, reply) })
    done()
  }

  /** Stops the warnings' timer; the app's `onClose`. */
  close(): void {
    clearTimeout(this.reportTimer)
  }

  private refuse(request: FastifyRequest, reply: FastifyReply): void {
    this.shedCount++
    this.reportTimer ??= setTimeout(() => { this.report() }, SHED_REPORT_MS).unref()
    const problem = { ...problemOf(kitErrors.OVERLOADED, SHED_DETAIL), instance: request.url.split('?')[0], request_id: request.id }
    void reply.code(problem.status).header('retry-after', RETRY_AFTER_S).type('application/problem+json').send(JSON.stringify(problem))
  }

  /** One warning for the pages shed since the last, and another a second later while shedding goes on. */
  private report(): void {
    this.reportTimer = undefined
    const shed = this.shedCount - this.reportedCount
    if (shed === 0) {
      return
    }
    this.reportedCount = this.shedCount
    this.log.warn({ code: kitErrors.OVERLOADED.code, shed, limit: this.limiter.limit, inflight: this.limiter.inflight }, 'pages shed: the page limit is reached')
    this.reportTimer = setTimeout(() => { this.report() }, SHED_REPORT_MS).unref()
  }
}

/**
 * Gives a page's place back with what its answer says about load: a whole or partial page is a
 * latency sample; a 504 (its budget ran out) is a drop; a client that left or an answer refused
 * for its input (4xx) or for a failure below (502, 503) says nothing about this process's load.
 */
function settle(permit: LimitPermit, reply: FastifyReply): void {
  if (!reply.raw.writableFinished) {
    permit.ignore()
  } else if (reply.statusCode < 300) {
    permit.release()
  } else if (reply.statusCode === 504) {
    permit.drop()
  } else {
    permit.ignore()
  }
}
