/** Marks an {@link UpstreamError}, across installed copies of the kit (see `isUpstreamError`). */
const kUpstreamError: unique symbol = Symbol.for('storefront.service-kit.upstream-error') as never

/**
 * Why a downstream call failed, as a stable code to match on:
 * - `UPSTREAM_ERR_STATUS`: it answered with a status outside `expect` (`status` says which).
 * - `UPSTREAM_ERR_CONNECT`: the connection was refused, reset or closed before a full answer.
 * - `UPSTREAM_ERR_BAD_BODY`: the body was not JSON, was malformed, or failed the `parse` validator.
 * - `UPSTREAM_ERR_BODY_TOO_LARGE`: the body passed the response-size limit and was cut off.
 */
export type UpstreamErrorCode =
  | 'UPSTREAM_ERR_STATUS'
  | 'UPSTREAM_ERR_CONNECT'
  | 'UPSTREAM_ERR_BAD_BODY'
  | 'UPSTREAM_ERR_BODY_TOO_LARGE'

/** What an {@link UpstreamError} carries besides its message. */
export interface UpstreamErrorDetails {
  /** The downstream's name, e.g. `inventory`. */
  readonly downstream: string
  /** The HTTP status, when the downstream answered. */
  readonly status?: number | undefined
  /** The downstream's `Retry-After` (numeric seconds) of a 503 or 429, in milliseconds. */
  readonly retryAfterMs?: number | undefined
  /** The underlying error (socket error, JSON syntax error, validator error). */
  readonly cause?: unknown
  /** The problem document of a 4xx answer, when the downstream sent one. */
  readonly problem?: DownstreamProblem | undefined
}

/**
 * The RFC 9457 fields of a downstream's 4xx answer: what a caller needs to tell one client error
 * from another (two 422s of the cart mean different things) and to pass it on.
 */
export interface DownstreamProblem {
  readonly status: number
  readonly title: string
  readonly detail?: string
  readonly type?: string
  readonly code?: string
}

/**
 * A downstream call failed in a way that is the downstream's doing: a bad status, a broken
 * connection, or a body that cannot be trusted. Timeouts are the resilience library's
 * `TimeoutError` and an open circuit its `CircuitOpenError`, not this class.
 *
 * `retryAfterMs` is read by `retry` to lengthen its pause, so a server's `Retry-After` is honoured.
 */
export class UpstreamError extends Error {
  /** A stable, machine-readable code; match on it rather than on the message. */
  readonly code: UpstreamErrorCode
  /** The downstream's name. */
  readonly downstream: string
  /** The HTTP status, when the downstream answered. */
  readonly status: number | undefined
  /** The downstream's `Retry-After`, in milliseconds, when it sent a numeric one. */
  readonly retryAfterMs: number | undefined
  /** The downstream's problem document, for a 4xx answer that carried one. */
  readonly problem: DownstreamProblem | undefined

  constructor(code: UpstreamErrorCode, message: string, details: UpstreamErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'UpstreamError'
    this.code = code
    this.downstream = details.downstream
    this.status = details.status
    this.retryAfterMs = details.retryAfterMs
    this.problem = details.problem
    Object.defineProperty(this, kUpstreamError, { value: true })
  }

  /** Brand-based `instanceof`, so that errors from another copy of the kit still match. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isUpstreamError(value)
  }
}

/** True for an {@link UpstreamError} from any installed copy of the kit. */
export function isUpstreamError(value: unknown): value is UpstreamError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kUpstreamError] === true
}
