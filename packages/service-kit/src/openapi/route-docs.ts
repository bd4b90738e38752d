import type { ErrorDefinition } from '../errors/app-error.js'
import type { ResponseHeader } from './response-headers.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route's OpenAPI operation says beyond its schemas (see {@link RouteDocs}). */
    docs?: RouteDocs
  }
}

/** An error a route answers, with the headers that come with it (`retry-after`, `www-authenticate`). */
export interface DocumentedError {
  readonly error: ErrorDefinition
  readonly headers?: readonly ResponseHeader[]
}

/** A security requirement of an operation: scheme name to scopes (none for bearer tokens). */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>

/**
 * What a route's OpenAPI operation says beyond its validation schemas, given as the route's
 * `config.docs`. The kit adds what every route of the service can answer (validation, the service
 * token, the deadline, the database, …); a route names only what its own code answers.
 *
 * It is read by the document only: nothing here reaches validation or serialization, so documenting
 * an answer can never change it.
 */
export interface RouteDocs {
  /** The route's own errors, e.g. `404 PRODUCTS_ERR_NOT_FOUND`. */
  readonly errors?: readonly (ErrorDefinition | DocumentedError)[]
  /** Headers of the success answer beyond the kit's (`cache-control`, `x-degraded`, …). */
  readonly headers?: readonly ResponseHeader[]
  /** The route answers 204 without a body on success. */
  readonly noContent?: boolean
  /** The route answers a conditional request for what the caller already has with 304, without a body. */
  readonly notModified?: boolean
  /**
   * The success body for the document, for a route that sends one without a response schema
   * (text, or JSON whose fields the serializer must not filter): `schema` and its content type.
   */
  readonly body?: { readonly schema: object; readonly contentType?: string; readonly status?: number }
  /** False for a route that reads a raw body itself: a malformed JSON body is then no 400 `SVC_ERR_BAD_JSON`. */
  readonly jsonBody?: boolean
  /** False for a route of a service with a database that never queries it (the fault control). */
  readonly database?: boolean
  /** The operation's security, when not the service's default for the route. */
  readonly security?: readonly SecurityRequirement[]
  /** An example request: path and query parameters, headers and body, as sent. */
  readonly request?: {
    readonly params?: Readonly<Record<string, string>>
    readonly query?: Readonly<Record<string, string>>
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: unknown
  }
  /** An example of the success answer's body. */
  readonly response?: unknown
}
