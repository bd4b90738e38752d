import { Deadline } from '@storefront/resilience'
import type { FastifyRequest } from 'fastify'

/**
 * What every call made for the signed-in user outside the page carries: the downstream's own
 * `timeoutMs` (missing it counts against its breaker), the request's deadline and signal (running
 * out of them is the caller's business), and its id.
 */
export function userCallOptions(request: FastifyRequest, timeoutMs: number) {
  return { deadline: request.deadline, ownDeadline: Deadline.after(timeoutMs), signal: request.abortSignal, requestId: request.id }
}
