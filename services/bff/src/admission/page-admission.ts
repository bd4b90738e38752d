import { AdaptiveLimiter, type LimitPermit } from '@storefront/resilience'
import { kitErrors, problemOf, serverSpanOf } from '@storefront/service-kit'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'

import { EventLoopLoad } from './event-loop-load.js'

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
 * The lowest the limit goes: 32 pages in flight on one core answer within about 10 ms, far inside
 * a page's budgets, so a load test's 32 connections are never shed.
 */
const MIN_LIMIT = 32

/** How long a shed client is asked to wait, in seconds: the limit moves within a second. */
const RETRY_AFTER_S = '1'

/** How often, at most, a warning sums up the pages shed, in ms. */
const SHED_REPORT_MS = 1000

const SHED_DETAIL = 'More pages are in progress than the BFF can finish in time; try again shortly.'

/**
 * Admission of pages under an adaptive concurrency limit ({@link AdaptiveLimiter}, Vegas): while
 * the event loop is busy, pages past the limit are refused at once (503 `SVC_ERR_OVERLOADED` with
 * `retry-after`) instead of waiting in line for the core until every page misses its deadline. The
 * limit follows the pages' latency, a few pages above what the core finishes without queueing;
 * there is no number to tune. `MAX_CONCURRENT_PAGES` caps the pages in flight at all times.
 *
 * The limit binds only while the loop is busy ({@link EventLoopLoad}), and learns only then: a
 * page that waits on a slow inventory is slow without loading this process, and shedding it would
 * turn a slow optional part into an outage of the page.
 *
 * Its {@link onRequest} hook runs before every other hook (request id and deadline, security
 * headers, rate limit, sign-in): a refusal must cost a small part of what a page costs, or the
 * refusals themselves fill the core under an overload. So a shed request is answered from a
 * prepared problem, with no error thrown, no deadline watched and no line logged; a warning each
 * second sums them up.
 */
export class PageAdmission {
  /** The adaptive limit, for metrics and the dashboard. */
  readonly limiter: AdaptiveLimiter
  private readonly loop = new EventLoopLoad()
  private shedCount = 0
  private reportedCount = 0
  private reportTimer: NodeJS.Timeout | undefined
  /**
   * True while the event loop is busy (see {@link EventLoopLoad}): what this process does beyond
   * its pages (recording them for the dashboard) waits until it has room again.
   */
  get busy(): boolean {
    return this.loop.busy
  }

  /** Pages in flight, those admitted while the loop was idle included. */
  private running = 0

  /** Where the warnings go: the app's logger, known from the first request shed. */
  private log: FastifyBaseLogger | undefined

  /**
   * @param maxConcurrentPages pages in flight at most, always
   * @param adaptive false turns the adaptive limit off: only `maxConcurrentPages` is enforced
   */
  constructor(private readonly maxConcurrentPages: number, private readonly adaptive = true) {
    this.limiter = new AdaptiveLimiter({
      initial: Math.min(INITIAL_LIMIT, maxConcurrentPages),
      min: Math.min(MIN_LIMIT, maxConcurrentPages),
      max: maxConcurrentPages,
      algorithm: 'vegas',
    })
  }

  /** Pages in flight now. */
  get inflight(): number {
    return this.running
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
    if (this.running >= this.maxConcurrentPages) {
      this.refuse(request, reply)
      return
    }
    // Past the limit while the loop has room, a page is let in without a place: it waits on its
    // downstreams, not on this core, and the limit learns nothing from it.
    const permit = this.adaptive ? this.limiter.tryAcquire() : undefined
    if (permit === undefined && this.adaptive && this.loop.busy) {
      this.refuse(request, reply)
      return
    }
    this.running++
    reply.raw.once('close', () => {
      this.running--
      if (permit !== undefined) {
        settle(permit, reply, this.loop.busy)
      }
    })
    done()
  }

  /** Stops the warnings' timer; the app's `onClose`. */
  close(): void {
    clearTimeout(this.reportTimer)
  }

  private refuse(request: FastifyRequest, reply: FastifyReply): void {
    this.shedCount++
    serverSpanOf(request)?.addEvent('shed', { 'storefront.policy': 'limiter', 'storefront.limit': this.limiter.limit })
    this.log ??= request.server.log
    this.reportTimer ??= setTimeout(() => { this.report() }, SHED_REPORT_MS).unref()
    const problem = { ...problemOf(kitErrors.OVERLOADED, SHED_DETAIL), instance: request.url.split('?')[0], request_id: request.id }
    void reply.code(problem.status).header('x-request-id', request.id).header('retry-after', RETRY_AFTER_S).type('application/problem+json').send(JSON.stringify(problem))
  }

  /** One warning for the pages shed since the last, and another a second later while shedding goes on. */
  private report(): void {
    this.reportTimer = undefined
    const shed = this.shedCount - this.reportedCount
    if (shed === 0) {
      return
    }
    this.reportedCount = this.shedCount
    this.log?.warn({ code: kitErrors.OVERLOADED.code, shed, limit: this.limiter.limit, inflight: this.running }, 'pages shed: the page limit is reached')
    this.reportTimer = setTimeout(() => { this.report() }, SHED_REPORT_MS).unref()
  }
}

/**
 * Gives a page's place back with what its answer says about load: while the loop is busy, a whole
 * or partial page is a latency sample and a 504 (its budget ran out) a drop. A page finished while
 * the loop has room, a client that left, or an answer refused for its input (4xx) or for a failure
 * below (502, 503) says nothing about this process's load.
 */
function settle(permit: LimitPermit, reply: FastifyReply, loopBusy: boolean): void {
  if (!reply.raw.writableFinished || !loopBusy) {
    permit.ignore()
  } else if (reply.statusCode < 300) {
    permit.release()
  } else if (reply.statusCode === 504) {
    permit.drop()
  } else {
    permit.ignore()
  }
}
