import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit'
import { AppError } from '@storefront/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'

import { bffErrors } from '../../errors.js'
import { connectWithin, createRateLimitRedis, redisForLogs } from './redis-client.js'
import { StoreFailureLog } from './store-failure-log.js'

/** Options of {@link rateLimitPlugin}. */
export interface RateLimitOptions {
  /** Requests one client address may make per minute. */
  readonly perMinute: number
  /** The Redis every BFF process shares its counts through; unset, each counts on its own, in memory. */
  readonly redisUrl?: string | undefined
  /** Longest a check may wait for Redis, in ms. */
  readonly redisTimeoutMs: number
}

/** Where the counts are kept in Redis: one key per client address, after this prefix. */
const REDIS_KEY_PREFIX = 'storefront-bff-rate-limit:'

/**
 * Answers 429 `BFF_ERR_RATE_LIMITED`, with `retry-after`, once a client address has made
 * `perMinute` requests in the current minute. Applies to the routes registered after it: health,
 * metrics and the kit's routes come earlier, so a load balancer or a scraper is never locked out
 * by the limit it is there to watch.
 *
 * With `redisUrl`, the counts are kept in that Redis, so every BFF process that uses it enforces
 * one limit together. The limit then fails open: a check that fails (Redis unreachable, or no
 * answer within `redisTimeoutMs`) lets its request through, counts it on
 * `bff_rate_limit_unchecked_total`, and warns at most once a minute. The client is closed with the
 * app.
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
      ...(options.redisUrl === undefined ? {} : sharedStore(app, options.redisUrl, options.redisTimeoutMs)),
    })
  },
  { name: 'storefront-bff-rate-limit' },
)

/** The plugin's options for counts kept in the Redis at `url`, and the client's life tied to the app's. */
function sharedStore(app: FastifyInstance, url: string, timeoutMs: number): RateLimitPluginOptions {
  const failures = new StoreFailureLog(app.log, redisForLogs(url))
  const unchecked = new Counter({
    name: 'bff_rate_limit_unchecked_total',
    help: 'Requests let through without the rate limit because its Redis store (RATE_LIMIT_REDIS_URL) was unreachable or did not answer within RATE_LIMIT_REDIS_TIMEOUT_MS.',
    registers: [app.metrics],
  })
  const redis = createRateLimitRedis(url, {
    timeoutMs,
    onCheckFailed: (error) => {
      unchecked.inc()
      failures.checkFailed(error)
    },
  })
  // Without a listener ioredis prints every connection error to the console.
  redis.on('error', (error: Error) => {
    failures.connectionFailed(error)
  })
  redis.on('ready', () => {
    failures.connected()
  })
  app.addHook('onReady', async () => {
    await connectWithin(redis)
  })
  app.addHook('onClose', () => {
    // Not QUIT, which would wait for an answer from a Redis that may never give one.
    redis.disconnect()
  })
  // The plugin's default is to fail the request with the store's error (a 500); fail open instead.
  return { redis, nameSpace: REDIS_KEY_PREFIX, skipOnError: true }
}
