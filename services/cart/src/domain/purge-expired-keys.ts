import type { FastifyInstance } from 'fastify'

import type { IdempotencyRepository } from '../data-access/idempotency-repository.js'

/** Options of {@link schedulePurgeOfExpiredKeys}. */
export interface PurgeScheduleOptions {
  /** Keys older than this are deleted, in hours. */
  readonly ttlHours: number
  /** Time between purges, in ms; 0 schedules none (the start-up purge still runs). */
  readonly intervalMs: number
  /** Longest one purge may run, in ms. */
  readonly timeoutMs: number
}

/**
 * Deletes expired idempotency keys every `intervalMs` while the app is open. The timer does not
 * keep the process alive, and closing the app stops it and waits for a purge in flight, so the
 * database is never closed under it. A failed purge is logged and retried next time: keys kept a
 * little longer than their TTL are harmless.
 */
export function schedulePurgeOfExpiredKeys(app: FastifyInstance, keys: IdempotencyRepository, options: PurgeScheduleOptions): void {
  if (options.intervalMs === 0) {
    return
  }
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (running !== undefined) {
      return
    }
    running = keys
      .purgeOlderThan(options.ttlHours, AbortSignal.timeout(options.timeoutMs))
      .then((purged) => {
        app.log.debug({ purged }, 'purged expired idempotency keys')
      })
      .catch((error: unknown) => {
        app.log.warn({ err: error }, 'could not purge expired idempotency keys')
      })
      .finally(() => {
        running = undefined
      })
  }, options.intervalMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}
