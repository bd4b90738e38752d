import rateLimit from '@fastify/rate-limit'
import { AppError } from '@storefront/service-kit'
import fp from 'fastify-plugin'

import { bffErrors } from '../errors.js'

/** Options of {@link rateLimitPlugin}. */
export interface RateLimitOptions {
  /** Requests one client address may make per minute. */
  readonly perMinute: number
}

/**
 * Answers 429 `BFF_ERR_RATE_LIMITED`, with `retry-after`, once a client address has made
 * `perMinute` requests in the current minute. Applies to the routes registered after it: health,
 * metrics and the kit's routes come earlier, so a load balancer or a scraper is never locked out
 * by the limit it is there to watch.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      max: options.perMinute,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) =>
        new AppError(bffErrors.RATE_LIMITED, `Over ${context.max} requests a minute from this client; try again in ${context.after}.`, {
          headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
        }),
    })
  },
  { name: 'storefront-bff-rate-limit' },
)
