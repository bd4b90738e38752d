/** A response header that is part of a Storefront API's contract, as the OpenAPI documents list it. */
export type ResponseHeader =
  | 'x-request-id'
  | 'retry-after'
  | 'allow'
  | 'www-authenticate'
  | 'x-degraded'
  | 'server-timing'
  | 'cache-control'
  | 'idempotency-replayed'
  | 'set-cookie'
  | 'x-ratelimit-limit'
  | 'x-ratelimit-remaining'
  | 'x-ratelimit-reset'

/** What each contract header means, as the OpenAPI documents describe it (a header object's schema and description). */
export const RESPONSE_HEADERS: Readonly<Record<ResponseHeader, { readonly description: string; readonly type: 'string' | 'integer' }>> = {
  'x-request-id': { type: 'string', description: 'The caller\'s well-formed `x-request-id`, or one made for this request; on every answer and in every log line of the request.' },
  'retry-after': { type: 'integer', description: 'Seconds to wait before trying again.' },
  'allow': { type: 'string', description: 'The methods this path answers, for a request with another method (405).' },
  'www-authenticate': { type: 'string', description: 'The authentication scheme to use: `Bearer`, with `error="invalid_token"` for a token refused.' },
  'x-degraded': { type: 'string', description: 'The optional parts missing from a partial answer, comma-separated (`cart, inventory`).' },
  'server-timing': { type: 'string', description: 'Time spent in the database for this request (`db;dur=<ms>`), when it ran queries.' },
  'cache-control': { type: 'string', description: 'Who may keep this answer, and for how long.' },
  'idempotency-replayed': { type: 'string', description: '`true` when the answer is the stored result of an earlier request with the same `Idempotency-Key`.' },
  'set-cookie': { type: 'string', description: 'Sets or clears the `session` cookie (HttpOnly, SameSite=Lax).' },
  'x-ratelimit-limit': { type: 'integer', description: 'Requests a client may make per minute.' },
  'x-ratelimit-remaining': { type: 'integer', description: 'Requests left to this client in the current minute.' },
  'x-ratelimit-reset': { type: 'integer', description: 'Seconds until the current minute\'s count starts again.' },
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>>
  components?: { headers?: Record<string, unknown> }
}

/**
 * Moves every contract header of `document`'s responses to `components.headers`, each response
 * naming it by `$ref`: the same dozen headers on every answer of every operation would otherwise
 * fill most of the document.
 */
export function shareResponseHeaders<D extends object>(given: D): D {
  const document = given as OpenApiDocument
  const shared: Record<string, unknown> = {}
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses ?? {})) {
        for (const name of Object.keys(response.headers ?? {})) {
          if (Object.hasOwn(RESPONSE_HEADERS, name)) {
            const { description, type } = RESPONSE_HEADERS[name as ResponseHeader]
            shared[name] = { description, schema: { type } }
            response.headers![name] = { $ref: `#/components/headers/${name}` }
          }
        }
      }
    }
  }
  document.components = { ...document.components, headers: Object.fromEntries(Object.entries(shared).sort(([a], [b]) => a.localeCompare(b))) }
  return given
}
