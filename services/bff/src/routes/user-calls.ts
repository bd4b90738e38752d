import { Deadline } from '@storefront/resilience'
import { ID_PATTERN } from '@storefront/service-kit'
import type { FastifyRequest } from 'fastify'

/** The params of a route addressed by a product id, `/…/{product_id}`. */
export const productIdParams = {
  type: 'object',
  required: ['product_id'],
  properties: { product_id: { type: 'string', pattern: ID_PATTERN } },
} as const

/**
 * What every call made for the signed-in user outside the page carries: the downstream's own
 * `timeoutMs` (missing it counts against its breaker), the request's deadline and signal (running
 * out of them is the caller's business), and its id.
 */
export function userCallOptions(request: FastifyRequest, timeoutMs: number) {
  return { deadline: request.deadline, ownDeadline: Deadline.after(timeoutMs), signal: request.abortSignal, requestId: request.id }
}
