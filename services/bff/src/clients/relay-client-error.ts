import { AppError, isUpstreamError } from '@storefront/service-kit'

/** Statuses of a downstream that describe the caller's request, and so are passed on as they are. */
const RELAYED_STATUSES = new Set([400, 404, 409, 413, 422])

/**
 * Rethrows a downstream's answer to a bad request (a cart line over the quantity limit, an
 * idempotency key reused with another body) as the BFF's own answer, with the downstream's code,
 * title and detail: the shopper's request caused it, so the shopper must hear it, not a 502.
 * Anything else (5xx, a refused connection, a 401 that means the BFF's token is wrong) is thrown as
 * is, for the usual mapping to 502/503/504.
 */
export function relayClientError(error: unknown): never {
  if (isUpstreamError(error) && error.status !== undefined && RELAYED_STATUSES.has(error.status) && error.problem !== undefined) {
    const { problem } = error
    throw new AppError(
      { code: problem.code ?? `${error.downstream.toUpperCase()}_ERR_REJECTED`, title: problem.title, statusCode: error.status },
      problem.detail ?? problem.title,
      { cause: error },
    )
  }
  throw error
}
