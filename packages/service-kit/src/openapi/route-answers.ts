import type { ErrorDefinition } from '../errors/app-error.js'
import type { ResponseHeader } from './response-headers.js'
import type { SecurityRequirement } from './route-docs.js'

/** The problems of one status: their definitions by code, and the headers that may come with them. */
export interface StatusProblems {
  readonly errors: Map<string, ErrorDefinition>
  readonly headers: Set<ResponseHeader>
}

/**
 * Everything one route can answer, gathered status by status from the kit, the service's own
 * plugins and the route, for its OpenAPI operation: each problem's code under its status, the
 * headers that may come with it, the headers every answer may carry, and the operation's security.
 */
export class RouteAnswers {
  /** Problem answers by status. */
  readonly problems = new Map<number, StatusProblems>()
  /** Headers any answer of the route may carry, success and problem alike. */
  readonly everyAnswer = new Set<ResponseHeader>(['x-request-id'])
  /** Headers the success answer may carry. */
  readonly success = new Set<ResponseHeader>()
  /** The operation's security requirements; empty for none. */
  security: readonly SecurityRequirement[] = []

  /** Adds a problem the route can answer, and the headers that come with it. */
  problem(error: ErrorDefinition, ...headers: readonly ResponseHeader[]): this {
    let entry = this.problems.get(error.statusCode)
    if (entry === undefined) {
      entry = { errors: new Map(), headers: new Set() }
      this.problems.set(error.statusCode, entry)
    }
    entry.errors.set(error.code, error)
    for (const header of headers) {
      entry.headers.add(header)
    }
    return this
  }

  /** Adds headers any answer of the route may carry. */
  header(...headers: readonly ResponseHeader[]): this {
    for (const header of headers) {
      this.everyAnswer.add(header)
    }
    return this
  }
}
