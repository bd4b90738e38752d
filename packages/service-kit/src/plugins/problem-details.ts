import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'

import { kitErrors } from '../errors/app-error.js'
import { type Problem, problemOf, toProblem } from '../errors/to-problem.js'

/** Sends a problem as `application/problem+json`, with the request's URL and id. */
function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem, headers: Readonly<Record<string, string>>): FastifyReply {
  return reply
    .code(problem.status)
    .headers(headers)
    .type('application/problem+json')
    .send({ ...problem, instance: request.url.split('?')[0], request_id: request.id })
}

/** Turns a route pattern (`/users/:id/cart`) into a matcher for concrete paths. */
function patternToRegExp(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}/?$`)
}

/** Which methods each route pattern answers, for telling 404 from 405. */
export class RouteTable {
  private readonly entries: Array<{ matcher: RegExp; methods: Set<string> }> = []

  /** Records a route as Fastify's `onRoute` hook sees it. */
  add(route: Pick<RouteOptions, 'method' | 'url'>): void {
    const matcher = patternToRegExp(route.url)
    let entry = this.entries.find((candidate) => candidate.matcher.source === matcher.source)
    if (entry === undefined) {
      entry = { matcher, methods: new Set<string>() }
      this.entries.push(entry)
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      entry.methods.add(method)
    }
  }

  /** The methods a concrete path answers, or undefined when no route matches it. */
  methodsFor(path: string): ReadonlySet<string> | undefined {
    return this.entries.find((entry) => entry.matcher.test(path))?.methods
  }
}

/** Options of {@link problemDetailsPlugin}. */
export interface ProblemDetailsOptions {
  /** Filled by an `onRoute` hook added before any route (see `createServiceApp`). */
  readonly routes: RouteTable
}

/**
 * One error handler for the whole service: every failure becomes an RFC 9457 problem. A 5xx of
 * this service is logged as an error with its stack and never shows its internal message; a
 * failure below (502, 504) is a one-line warning, an open breaker's 503 and every 4xx are `info`. An unknown path answers 404; a known path with another method answers 405 with `allow`.
 */
export const problemDetailsPlugin = fp<ProblemDetailsOptions>(
  (app: FastifyInstance, options: ProblemDetailsOptions, done: (error?: Error) => void) => {
    const routes = options.routes
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { problem, headers } = toProblem(error)
      if (problem.code === kitErrors.UPSTREAM_UNAVAILABLE.code) {
        // A breaker or bulkhead refusing work is the design working, not a fault here; the
        // breaker's own transitions are what an operator needs. One cheap line, no stack.
        request.log.info({ code: problem.code, detail: problem.detail }, 'request refused by a breaker')
      } else if (problem.code === kitErrors.UPSTREAM_FAILED.code || problem.code === kitErrors.DEADLINE_EXCEEDED.code) {
        // Caused below (or by the caller's budget): the message names the service; its stack adds
        // nothing but cost, paid on every request of an outage.
        request.log.warn({ code: problem.code, reason: error.message }, 'request failed below')
      } else if (problem.status >= 500) {
        request.log.error({ err: error, code: problem.code }, 'request failed')
      } else {
        request.log.info({ code: problem.code, detail: problem.detail }, 'request refused')
      }
      return sendProblem(request, reply, problem, headers)
    })

    app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? request.url
      const allowed = routes.methodsFor(path)
      if (allowed !== undefined && !allowed.has(request.method)) {
        const allow = [...allowed].sort().join(', ')
        return sendProblem(request, reply, problemOf(kitErrors.METHOD_NOT_ALLOWED, `${request.method} is not allowed here; use ${allow}.`), { allow })
      }
      return sendProblem(request, reply, problemOf(kitErrors.NOT_FOUND, `No route ${request.method} ${path}.`), {})
    })
    done()
  },
  { name: 'storefront-problem-details' },
)
