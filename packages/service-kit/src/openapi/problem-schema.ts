import type { ErrorDefinition } from '../errors/app-error.js'
import { problemOf } from '../errors/to-problem.js'

/**
 * The JSON schema of a problem document of `status` whose `code` is one of `errors`, for the
 * OpenAPI documents only: the problem-details handler sends problems without a response schema, so
 * that no field is ever filtered or coerced on the way out.
 */
export function problemSchema(status: number, errors: readonly ErrorDefinition[]): Record<string, unknown> {
  return {
    type: 'object',
    description: 'An RFC 9457 problem document: `type` is `urn:storefront:problem:<code in kebab case>`, `instance` the request\'s path and `request_id` its `x-request-id`; clients branch on `code` (docs/errors.md), never on `detail`.',
    required: ['type', 'title', 'status', 'detail', 'code', 'instance', 'request_id'],
    additionalProperties: false,
    properties: {
      // Described once, in docs/errors.md and the document's description; repeated here on every
      // status of every operation, the words would fill the document.
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer', enum: [status] },
      detail: { type: 'string' },
      code: { type: 'string', enum: errors.map((error) => error.code) },
      instance: { type: 'string' },
      request_id: { type: 'string' },
    },
  }
}

/** An example problem of `error` as a request to `path` would get it. */
export function problemExample(error: ErrorDefinition, path: string): Record<string, unknown> {
  return { ...problemOf(error, `${error.title}.`), instance: path, request_id: '6f1c2a0e-9d5b-4c1e-8a47-2b3f4c5d6e7f' }
}
