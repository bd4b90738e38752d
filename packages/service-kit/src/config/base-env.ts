import { isAbsolute, resolve } from 'node:path'

import { repositoryRoot } from '../db/embedded/repository-root.js'
import { ConfigError, type EnvOf, type EnvVar, bool, int, msRange, oneOf, optionalSecret, optionalStr, port, probability, str } from './env.js'
import { isLoopback } from './loopback.js'
import { checkSecret } from './secret-strength.js'

/** Log levels pino understands. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * The variables every process reads, the BFF included (docs/spec/api.md, "Every service", the
 * config row). A process spreads this into its own schema and adds its own variables; one that
 * keeps data adds {@link databaseEnv} too.
 */
export function baseEnv(defaultPort: number) {
  return {
    HOST: str('Interface to listen on.', { fallback: '127.0.0.1' }),
    PORT: port(`TCP port. Defaults to ${defaultPort}.`, defaultPort),
    SERVICE_TOKEN: optionalSecret('Bearer token every caller must present (all routes but health and metrics); at least 16 characters, and off loopback at least 32, not an example value.', { minLength: 16 }),
    ALLOW_INSECURE_LOOPBACK: bool('Development only: run without SERVICE_TOKEN. Allowed only when HOST is a loopback address.', false),
    LOG_LEVEL: oneOf('pino log level.', LOG_LEVELS, 'info'),
    BODY_LIMIT_BYTES: int('Largest request body accepted, in bytes (larger: 413). Defaults to 64 KiB.', {
      fallback: 64 * 1024,
      min: 1024,
      max: 16 * 1024 * 1024,
    }),
    REQUEST_TIMEOUT_MS: int('Budget of a request that carries no x-request-timeout-ms, and the most a caller may ask for, in ms.', {
      fallback: 10_000,
      min: 1,
      max: 600_000,
    }),
    SHUTDOWN_GRACE_MS: int('How long in-flight requests may finish after SIGTERM, in ms.', { fallback: 10_000, min: 0, max: 600_000 }),
    FAULT_DELAY_MS: msRange('Fault injection: a uniformly random delay of a..b ms (at most 60000) before each non-health response.'),
    FAULT_ERROR_RATE: probability('Fault injection: answer 500 with this probability (0..1).'),
    FAULT_CONTROL: bool('Development only: GET and PUT /ops/faults change fault injection at run time (service token required).', false),
  }
}

/** The variables of a service that keeps data in PostgreSQL: where the database is, its pool, and demo rows. */
export function databaseEnv() {
  return {
    DATABASE_URL: optionalStr('postgres:// URL of a PostgreSQL server (15 or newer). Unset: the embedded PostgreSQL server under DATA_DIR.', {
      pattern: /^postgres(ql)?:\/\//,
    }),
    DATA_DIR: dataDir('The embedded PostgreSQL server\'s data directory, used when DATABASE_URL is unset; a relative path is taken from the repository root.', '.data/postgres'),
    SEED_DEMO_DATA: bool('Writes the demo rows (the contract\'s seed data, docs/spec/api.md "Seed data": carts, favorites, a small catalogue with stock) into a fresh database, once. npm start sets it; unset, a database starts empty.', false),
    DB_POOL_MAX: int('Connections in the PostgreSQL pool.', { fallback: 10, min: 1, max: 200 }),
  }
}

/**
 * A directory: relative paths are taken from the repository root, not the working directory, so
 * `npm start`, `npm run seed` and a service started from its own folder find the same data.
 */
function dataDir(doc: string, fallback: string): EnvVar<string> {
  return {
    doc,
    parse: (raw) => {
      const value = raw ?? fallback
      return isAbsolute(value) ? value : resolve(repositoryRoot(), value)
    },
  }
}

/** What {@link baseEnv} yields once read. */
export type BaseEnv = EnvOf<ReturnType<typeof baseEnv>>

/** What {@link databaseEnv} yields once read. */
export type DatabaseEnv = EnvOf<ReturnType<typeof databaseEnv>>

/**
 * Cross-variable rules, for `readEnv`'s `check`: a process refuses to start without SERVICE_TOKEN
 * unless it is told it runs on loopback for development, and off loopback refuses a token that
 * could be guessed or was copied from an example file.
 */
export function checkBaseEnv(env: BaseEnv): void {
  if (env.SERVICE_TOKEN === undefined) {
    if (!env.ALLOW_INSECURE_LOOPBACK) {
      throw new ConfigError('SERVICE_TOKEN', 'is required (or set ALLOW_INSECURE_LOOPBACK=true for local development on a loopback HOST)', undefined)
    }
    if (!isLoopback(env.HOST)) {
      throw new ConfigError('ALLOW_INSECURE_LOOPBACK', `only allowed when HOST is a loopback address (HOST is ${env.HOST})`, undefined)
    }
  }
  checkSecret('SERVICE_TOKEN', env.SERVICE_TOKEN, env.HOST)
}
