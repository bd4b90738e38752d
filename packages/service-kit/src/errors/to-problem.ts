import { isBulkheadRejectedError, isCircuitOpenError, isLimitExceededError, isThrottledError, isTimeoutError } from '@storefront/resilience'

import { isUpstreamError } from '../clients/upstream-error.js'
import { AppError, type ErrorDefinition, kitErrors } from './app-error.js'
import { validationDetail } from './validation-detail.js'

/** An RFC 9457 problem details body. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  /** The stable error code, for clients that branch on it. */
  readonly code: string
  readonly instance?: string
  readonly request_id?: string
}

/** A problem plus the headers it goes out with. */
export interface ProblemResponse {
  readonly problem: Problem
  readonly headers: Readonly<Record<string, string>>
}

/** The `type` URI of a code: a URN, since problem types need not resolve. */
export function problemType(code: string): string {
  return `urn:storefront:problem:${code.toLowerCase().replaceAll('_', '-')}`
}

/** Builds a problem from a definition and a detail. */
export function problemOf(definition: ErrorDefinition, detail: string): Problem {
  return { type: problemType(definition.code), title: definition.title, status: definition.statusCode, detail, code: definition.code }
}

interface FastifyLikeError {
  readonly code?: unknown
  readonly statusCode?: unknown
  readonly validation?: unknown
  readonly validationContext?: unknown
  readonly message?: unknown
}

const fastifyCodes: Readonly<Record<string, ErrorDefinition>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: kitErrors.BODY_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: kitErrors.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: kitErrors.BAD_REQUEST,
  FST_ERR_CTP_EMPTY_JSON_BODY: kitErrors.BAD_JSON,
  FST_ERR_CTP_INVALID_JSON_BODY: kitErrors.BAD_JSON,
}

/**
 * Maps anything thrown in a request to a problem response: our `AppError`s, Fastify's validation
 * and body errors, the resilience library's errors (timeout → 504, open circuit, full bulkhead,
 * throttle refusal or reached concurrency limit → 503 with `retry-after`). Anything else is a 500 whose internal message is never shown.
 */
export function toProblem(error: unknown): ProblemResponse {
  if (error instanceof AppError) {
    return { problem: problemOf(error, error.message), headers: error.headers }
  }
  if (isTimeoutError(error)) {
    return { problem: problemOf(kitErrors.DEADLINE_EXCEEDED, 'The request ran out of time before it could be answered.'), headers: {} }
  }
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { problem: problemOf(kitErrors.CLIENT_CLOSED, 'The client went away before the answer was ready.'), headers: {} }
  }
  if (isCircuitOpenError(error)) {
    const seconds = Number.isFinite(error.retryAfterMs) ? Math.max(1, Math.ceil(error.retryAfterMs / 1000)) : 60
    return {
      problem: problemOf(kitErrors.UPSTREAM_UNAVAILABLE, 'A service this request depends on is failing; try again later.'),
      headers: { 'retry-after': String(seconds) },
    }
  }
  if (isUpstreamError(error)) {
    // The downstream's own message (a status, a connection error) stays in the log.
    return { problem: problemOf(kitErrors.UPSTREAM_FAILED, `The ${error.downstream} service failed to answer.`), headers: {} }
  }
  if (isThrottledError(error) || isLimitExceededError(error)) {
    // Refused by an upstream client's throttle or concurrency limit, without calling the service.
    return { problem: problemOf(kitErrors.UPSTREAM_UNAVAILABLE, 'A service this request depends on is overloaded or failing; try again shortly.'), headers: { 'retry-after': '1' } }
  }
  if (isBulkheadRejectedError(error)) {
    return { problem: problemOf(kitErrors.UPSTREAM_UNAVAILABLE, 'Too many requests in flight; try again shortly.'), headers: { 'retry-after': '1' } }
  }
  const fastifyError = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError
  if (fastifyError.validation !== undefined) {
    return { problem: problemOf(kitErrors.VALIDATION, validationDetail(fastifyError)), headers: {} }
  }
  if (typeof fastifyError.code === 'string') {
    const definition = fastifyCodes[fastifyError.code]
    if (definition !== undefined) {
      return { problem: problemOf(definition, String(fastifyError.message)), headers: {} }
    }
  }
  if (error instanceof SyntaxError && typeof fastifyError.statusCode === 'number' && fastifyError.statusCode === 400) {
    return { problem: problemOf(kitErrors.BAD_JSON, 'The body is not valid JSON.'), headers: {} }
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500
  if (status >= 400 && status < 500) {
    return {
      problem: { ...problemOf(kitErrors.BAD_REQUEST, String(fastifyError.message)), status, title: 'Bad request' },
      headers: {},
    }
  }
  return { problem: problemOf(kitErrors.INTERNAL, 'The server failed to answer this request; the failure is logged.'), headers: {} }
}
