/** A stable error code with its HTTP status and title, defined once per service. */
export interface ErrorDefinition {
  /** Area-prefixed and stable, e.g. `CART_ERR_IDEMPOTENCY_KEY_REUSED`. Retired codes are never reused. */
  readonly code: string
  /** A short, human-readable summary that does not change from occurrence to occurrence. */
  readonly title: string
  /** The HTTP status code. */
  readonly statusCode: number
}

/**
 * An error a handler throws on purpose, carrying its {@link ErrorDefinition}. The problem-details
 * handler answers it with its status, title and `detail`.
 */
export class AppError extends Error {
  readonly code: string
  readonly title: string
  readonly statusCode: number
  /** Extra response headers, e.g. `allow` or `retry-after`. */
  readonly headers: Readonly<Record<string, string>>

  constructor(definition: ErrorDefinition, detail: string, options?: ErrorOptions & { headers?: Record<string, string> }) {
    super(detail, options)
    this.name = 'AppError'
    this.code = definition.code
    this.title = definition.title
    this.statusCode = definition.statusCode
    this.headers = options?.headers ?? {}
  }
}

/**
 * Defines a registry of error codes: `const errors = defineErrors({ NOT_FOUND: ['PRODUCTS_ERR_NOT_FOUND', 'Product not found', 404] })`.
 * Keys are for code; `code` is what clients and docs see.
 */
export function defineErrors<const K extends string>(entries: Record<K, readonly [code: string, title: string, statusCode: number]>): Record<K, ErrorDefinition> {
  const registry = {} as Record<K, ErrorDefinition>
  for (const key of Object.keys(entries) as K[]) {
    const [code, title, statusCode] = entries[key]
    registry[key] = Object.freeze({ code, title, statusCode })
  }
  return Object.freeze(registry)
}

/** The errors the kit itself answers with; services add their own registries. */
export const kitErrors = defineErrors({
  BAD_REQUEST: ['SVC_ERR_BAD_REQUEST', 'Bad request', 400],
  VALIDATION: ['SVC_ERR_VALIDATION', 'Request did not validate', 400],
  BAD_JSON: ['SVC_ERR_BAD_JSON', 'Body is not valid JSON', 400],
  UNAUTHORIZED: ['SVC_ERR_UNAUTHORIZED', 'Missing or wrong service token', 401],
  NOT_FOUND: ['SVC_ERR_NOT_FOUND', 'Not found', 404],
  METHOD_NOT_ALLOWED: ['SVC_ERR_METHOD_NOT_ALLOWED', 'Method not allowed', 405],
  REQUEST_TIMEOUT: ['SVC_ERR_REQUEST_TIMEOUT', 'Request not received in time', 408],
  BODY_TOO_LARGE: ['SVC_ERR_BODY_TOO_LARGE', 'Body too large', 413],
  UNSUPPORTED_MEDIA_TYPE: ['SVC_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 415],
  HEADERS_TOO_LARGE: ['SVC_ERR_HEADERS_TOO_LARGE', 'Request header fields too large', 431],
  DEADLINE_EXCEEDED: ['SVC_ERR_DEADLINE_EXCEEDED', 'Deadline exceeded', 504],
  // 499 is nginx's "client closed request": nobody reads it, but logs and metrics must not call it a 5xx.
  CLIENT_CLOSED: ['SVC_ERR_CLIENT_CLOSED', 'Client closed the request', 499],
  UPSTREAM_UNAVAILABLE: ['SVC_ERR_UPSTREAM_UNAVAILABLE', 'Service unavailable', 503],
  DATABASE_UNAVAILABLE: ['SVC_ERR_DATABASE_UNAVAILABLE', 'Database unavailable', 503],
  OVERLOADED: ['SVC_ERR_OVERLOADED', 'Overloaded', 503],
  UPSTREAM_FAILED: ['SVC_ERR_UPSTREAM_FAILED', 'A service this request depends on failed', 502],
  FAULT_INJECTED: ['SVC_ERR_FAULT_INJECTED', 'Injected fault', 500],
  INTERNAL: ['SVC_ERR_INTERNAL', 'Internal server error', 500],
})
