import { ID_PATTERN } from '@storefront/service-kit'
import type { FastifyRequest } from 'fastify'

import { within } from '../domain/budget.js'

/** The params of a route addressed by a product id, `/…/{product_id}`. */
export const productIdParams = {
  type: 'object',
  required: ['product_id'],
  properties: { product_id: { type: 'string', pattern: ID_PATTERN } },
} as const

/**
 * What every call made for the signed-in user outside the page carries: `timeoutMs` (never past
 * the request's own deadline), the request's signal, so a caller who leaves cancels it, and its id.
 */
export function userCallOptions(request: FastifyRequest, timeoutMs: number) {
  return { deadline: within(timeoutMs, request.deadline), signal: request.abortSignal, requestId: request.id }
}
