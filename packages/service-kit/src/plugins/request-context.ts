import { randomUUID } from 'node:crypto'

import { DEADLINE_HEADER, Deadline, TimeoutError } from '@storefront/resilience'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

import { AppError, kitErrors } from '../errors/app-error.js'
import { toProblem } from '../errors/to-problem.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's deadline: the caller's `x-request-timeout-ms`, or the service's default budget. */
    deadline: Deadline
    /** Aborted (TimeoutError) when the deadline passes, or (AbortError) when the client goes away; pass it to every query. */
    abortSignal: AbortSignal
  }
}

/** Options of {@link requestContextPlugin}. */
export interface RequestContextOptions {
  /** Budget of a request without `x-request-timeout-ms`, and the most a caller may ask for, in ms. */
  readonly requestTimeoutMs: number
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** Takes a well-formed `x-request-id` from the caller, or makes one. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const header = request.headers['x-request-id']
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID()
}

/**
 * Gives each request its deadline and signal, and echoes its request id.
 *
 * The signal aborts with a `TimeoutError` once the deadline passes (queries then stop on the
 * server, and the error handler answers 504), or with an `AbortError` when the client disconnects
 * before the answer. If the handler still has not answered just after the deadline, this answers
 * 504 itself.
 */
export const requestContextPlugin = fp<RequestContextOptions>(
  (app: FastifyInstance, options: RequestContextOptions, done: (error?: Error) => void) => {
    app.decorateRequest('deadline', undefined as unknown as Deadline)
    app.decorateRequest('abortSignal', undefined as unknown as AbortSignal)

    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => {
      void reply.header('x-request-id', request.id)
      const header = request.headers[DEADLINE_HEADER]
      let deadline: Deadline
      if (header === undefined) {
        deadline = Deadline.after(options.requestTimeoutMs)
      } else {
        const parsed = Deadline.fromHeader(header, { maxMs: options.requestTimeoutMs })
        if (parsed === undefined) {
          request.deadline = Deadline.after(options.requestTimeoutMs)
          request.abortSignal = new AbortController().signal
          next(new AppError(kitErrors.BAD_REQUEST, `${DEADLINE_HEADER} must be a whole number of milliseconds`))
          return
        }
        deadline = parsed
      }
      const controller = new AbortController()
      request.deadline = deadline
      request.abortSignal = controller.signal
      const onDeadline = (): void => {
        controller.abort(new TimeoutError(deadline.timeoutMs))
        // A handler that ignores the signal still must not hold the caller past its deadline.
        setImmediate(() => {
          if (!reply.sent) {
            const { problem, headers } = toProblem(controller.signal.reason)
            void reply.code(problem.status).headers(headers).type('application/problem+json').send({ ...problem, instance: request.url.split('?')[0], request_id: request.id })
          }
        })
      }
      const timer = setTimeout(onDeadline, deadline.remainingMs())
      reply.raw.once('close', () => {
        clearTimeout(timer)
        if (!reply.raw.writableFinished && !controller.signal.aborted) {
          controller.abort(new DOMException('The client closed the connection', 'AbortError'))
        }
      })
      next()
    })
    done()
  },
  { name: 'storefront-request-context' },
)
