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
    description: 'An RFC 9457 problem document.',
    required: ['type', 'title', 'status', 'detail', 'code', 'instance', 'request_id'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', description: 'The problem type: `urn:storefront:problem:<code in kebab case>`.' },
      title: { type: 'string', description: 'A short summary of the problem type; the same for every occurrence of the code.' },
      status: { type: 'integer', enum: [status], description: 'The HTTP status.' },
      detail: { type: 'string', description: 'What went wrong with this request, in words. Clients branch on `code`, never on this.' },
      code: { type: 'string', enum: errors.map((error) => error.code), description: 'The stable error code (docs/errors.md).' },
      instance: { type: 'string', description: 'The request\'s path, without its query.' },
      request_id: { type: 'string', description: 'The request\'s id, as in `x-request-id`.' },
    },
  }
}

/** An example problem of `error` as a request to `path` would get it. */
export function problemExample(error: ErrorDefinition, path: string): Record<string, unknown> {
  return { ...problemOf(error, `${error.title}.`), instance: path, request_id: '6f1c2a0e-9d5b-4c1e-8a47-2b3f4c5d6e7f' }
}
