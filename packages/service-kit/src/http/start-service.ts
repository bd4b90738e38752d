import type { FastifyInstance } from 'fastify'

import type { BaseEnv } from '../config/base-env.js'
import { ConfigError } from '../config/env.js'
import { type Tracing, startTracing } from '../tracing/start-tracing.js'

/** What {@link runService} needs to start a service. */
export interface RunServiceOptions<E extends BaseEnv> {
  /** The service's name: its spans' `service.name` unless `OTEL_SERVICE_NAME` says otherwise. */
  readonly service: string
  /** Reads and validates the environment, cross-variable rules included; throws `ConfigError` on a bad value. */
  readonly readEnv: () => E
  /** Builds the app (and whatever it depends on, such as the database). */
  readonly build: (env: E) => Promise<{ app: FastifyInstance; close: () => Promise<void> }>
}

/**
 * The one place a service listens, handles signals and exits: reads the environment (a bad value
 * stops the process with one line naming the variable), starts tracing (see `startTracing`), builds
 * the app, listens, and on SIGTERM or SIGINT stops accepting, lets in-flight requests finish within
 * `SHUTDOWN_GRACE_MS`, closes the database, exports the last spans and exits 0 (1 if the grace
 * period ran out).
 */
export async function runService<E extends BaseEnv>(options: RunServiceOptions<E>): Promise<void> {
  let env: E
  let tracing: Tracing
  try {
    env = options.readEnv()
    tracing = startTracing(options.service)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) {
      process.stderr.write(`${error.message}\n`)
      // eslint-disable-next-line n/no-process-exit -- a service that cannot read its config must not start
      process.exit(1)
    }
    throw error
  }
  let built: { app: FastifyInstance; close: () => Promise<void> }
  try {
    built = await options.build(env)
  } catch (error) {
    // A database that cannot be reached or migrated: one line, no stack, and a failing exit code.
    process.stderr.write(`Could not start: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
    return
  }
  const { app, close } = built
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      return
    }
    stopping = true
    app.log.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      app.log.error({ graceMs: env.SHUTDOWN_GRACE_MS }, 'in-flight requests did not finish in time')
      // eslint-disable-next-line n/no-process-exit -- the grace period is over
      process.exit(1)
    }, env.SHUTDOWN_GRACE_MS)
    force.unref()
    app
      .close()
      .then(close)
      .then(() => tracing.shutdown())
      .then(() => {
        app.log.info('stopped')
        clearTimeout(force)
        process.exitCode = 0
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exitCode = 1
      })
  }
  process.once('SIGTERM', () => {
    stop('SIGTERM')
  })
  process.once('SIGINT', () => {
    stop('SIGINT')
  })
  try {
    await app.listen({ host: env.HOST, port: env.PORT })
  } catch (error) {
    app.log.error({ err: error }, 'could not listen')
    await close()
    process.exitCode = 1
  }
}
