import { randomUUID } from 'node:crypto'

import { DEADLINE_HEADER, Deadline, TimeoutError } from '@storefront/resilience'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

import { AppError, kitErrors } from '../errors/app-error.js'
import { toProblem } from '../errors/to-problem.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's deadline: the caller's `x-request-timeout-ms` (capped), or the service's default budget. */
    deadline: Deadline
    /**
     * Aborted with a `TimeoutError` when the deadline passes, or with an `AbortError` when the
     * client goes away; pass it to every query. Created on first read.
     */
    readonly abortSignal: AbortSignal
  }
}

/** Options of {@link requestContextPlugin}. */
export interface RequestContextOptions {
  /** Budget of a request without `x-request-timeout-ms`, and the most a caller may ask for, in ms. */
  readonly requestTimeoutMs: number
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

/**
 * How long a handler gets, once its deadline passed and its signal aborted, to stop its work and
 * answer the 504 itself, in ms. Cancelling a statement takes a round trip to the database server.
 */
const CANCELLATION_GRACE_MS = 50
const kCancellation = Symbol('storefront.cancellation')

/** Takes a well-formed `x-request-id` from the caller, or makes one. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const header = request.headers['x-request-id']
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID()
}

/**
 * A request's cancellation. The `AbortController` is made only if someone reads the signal (a
 * query does; a cached answer does not): creating one costs microseconds.
 */
class Cancellation {
  private controller: AbortController | undefined
  private reason: unknown
  aborted = false
  /** Stops watching the deadline. */
  stopWatching: () => void = noop

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.aborted) {
        this.controller.abort(this.reason)
      }
    }
    return this.controller.signal
  }

  abort(reason: unknown): void {
    if (this.aborted) {
      return
    }
    this.aborted = true
    this.reason = reason
    this.controller?.abort(reason)
  }
}

function noop(): void {}

function spentBudget(): AppError {
  return new AppError(kitErrors.DEADLINE_EXCEEDED, `The caller's budget (${DEADLINE_HEADER}) was spent before the request could be handled.`)
}

/**
 * A route-level `preHandler` that answers 504 instead of starting the handler once the request's
 * budget is spent. The deadline's own timer cannot catch a budget that ran out while the event loop
 * was busy (synchronous hooks, a long parse): no timer fires in between, and the handler would start
 * on a request nobody waits for. Add it last to every route (an `onRoute` hook), so it runs after
 * every other hook.
 */
export function startOnlyWithTimeLeft(request: FastifyRequest, _reply: FastifyReply, next: (error?: Error) => void): void {
  next(request.deadline.expired ? spentBudget() : undefined)
}

type WithCancellation = FastifyRequest & { [kCancellation]: Cancellation | undefined }

/**
 * Gives each request its deadline and cancellation, and echoes its request id.
 *
 * The deadline is watched on the resilience library's shared timer (no timer per request). When it
 * passes, the request's signal aborts with a `TimeoutError` (queries then stop on the server, and
 * the error handler answers 504); if the handler still has not answered just after, this answers
 * 504 itself. A client that goes away aborts the signal with an `AbortError`.
 */
export const requestContextPlugin = fp<RequestContextOptions>(
  (app: FastifyInstance, options: RequestContextOptions, done: (error?: Error) => void) => {
    app.decorateRequest('deadline', undefined as unknown as Deadline)
    app.decorateRequest('abortSignal', {
      getter(this: FastifyRequest): AbortSignal {
        const request = this as WithCancellation
        return (request[kCancellation] ??= new Cancellation()).signal
      },
    })

    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => {
      void reply.header('x-request-id', request.id)
      const cancellation = new Cancellation()
      ;(request as WithCancellation)[kCancellation] = cancellation
      const header = request.headers[DEADLINE_HEADER]
      const deadline = header === undefined ? Deadline.after(options.requestTimeoutMs) : Deadline.fromHeader(header, { maxMs: options.requestTimeoutMs })
      if (deadline === undefined) {
        request.deadline = Deadline.after(options.requestTimeoutMs)
        next(new AppError(kitErrors.BAD_REQUEST, `${DEADLINE_HEADER} must be a whole number of milliseconds`))
        return
      }
      request.deadline = deadline
      if (deadline.expired) {
        // A budget spent before the work starts (`x-request-timeout-ms: 0`): nothing is read,
        // checked or queried for a caller who can no longer use the answer.
        cancellation.abort(new TimeoutError(deadline.timeoutMs))
        next(spentBudget())
        return
      }
      cancellation.stopWatching = deadline.onExpired(() => {
        cancellation.abort(new TimeoutError(deadline.timeoutMs))
        // A handler that ignores the signal still must not hold the caller past its deadline. One
        // that honours it answers the 504 itself once its statement is really cancelled (a round
        // trip to the server); answering before that would let a write the caller was told failed
        // go through the moment its lock frees.
        setTimeout(() => {
          if (!reply.sent && !request.raw.destroyed) {
            const { problem, headers } = toProblem(new TimeoutError(deadline.timeoutMs))
            void reply.code(problem.status).headers(headers).type('application/problem+json').send({ ...problem, instance: request.url.split('?')[0], request_id: request.id })
          }
        }, CANCELLATION_GRACE_MS).unref()
      })
      next()
    })

    app.addHook('onResponse', (request: FastifyRequest, _reply: FastifyReply, next: () => void) => {
      (request as WithCancellation)[kCancellation]?.stopWatching()
      next()
    })

    app.addHook('onRequestAbort', (request: FastifyRequest, next: () => void) => {
      const cancellation = (request as WithCancellation)[kCancellation]
      cancellation?.stopWatching()
      cancellation?.abort(new DOMException('The client closed the connection', 'AbortError'))
      next()
    })
    done()
  },
  { name: 'storefront-request-context' },
)
