import { randomBytes } from 'node:crypto'

import postgres from 'postgres'

import type { DatabaseLocation } from '../db/open-database.js'

/**
 * The server the service tests run on: `STOREFRONT_TEST_DB=embedded` (default: the embedded
 * PostgreSQL server the test run starts, see `tools/test-support/embedded-postgres.ts`) or
 * `postgres` (the server at `STOREFRONT_TEST_PG_URL`, e.g. a system PostgreSQL 15).
 */
export type TestEngine = 'embedded' | 'postgres'

/** Which server this test run uses. */
export function testEngine(): TestEngine {
  const engine = process.env.STOREFRONT_TEST_DB ?? 'embedded'
  if (engine !== 'embedded' && engine !== 'postgres') {
    throw new Error(`STOREFRONT_TEST_DB must be embedded or postgres, got ${engine}`)
  }
  return engine
}

/** The environment variable that carries the embedded test server's superuser URL to the test workers. */
export const EMBEDDED_TEST_URL_VARIABLE = 'STOREFRONT_TEST_EMBEDDED_PG_URL'

/** The URL tests create their databases with: the embedded test server's, or `STOREFRONT_TEST_PG_URL`. */
export function testAdminUrl(): string {
  if (testEngine() === 'embedded') {
    const url = process.env[EMBEDDED_TEST_URL_VARIABLE]
    if (url === undefined) {
      throw new Error(`${EMBEDDED_TEST_URL_VARIABLE} is not set: run the tests through vitest, whose global setup starts the embedded server`)
    }
    return url
  }
  return process.env.STOREFRONT_TEST_PG_URL ?? 'postgres://storefront:storefront@127.0.0.1:5432/postgres'
}

/** A database that exists for one test file, and its removal. */
export interface TestDatabase {
  /** Where it is: pass it to `openDatabase` (as often as you like: a restart reopens it). */
  readonly location: DatabaseLocation
  readonly engine: TestEngine
  /** Drops the database. */
  drop(): Promise<void>
}

/** A migrated database that test databases are cloned from; see {@link templateDatabase}. */
export interface TestTemplate {
  /** Changes whenever what `prepare` builds would change (e.g. a hash of the migrations). */
  readonly key: string
  /** Builds the template's content in the (empty) database at `databaseUrl`, and closes every connection it opened. */
  prepare(databaseUrl: string): Promise<void>
}

/**
 * Creates a database on the current test server. It outlives closing and reopening (a test can
 * restart a service on it to check durability) until `drop`.
 *
 * With a `template` it is a copy of that template, built once per test server (see
 * {@link templateDatabase}): a migrated database then costs one `CREATE DATABASE … TEMPLATE`,
 * milliseconds, instead of running every migration again. Without one it is empty.
 */
export async function createTestDatabase(service: string, template?: TestTemplate): Promise<TestDatabase> {
  const name = `sf_test_${identifierPart(service)}_${randomBytes(4).toString('hex')}`
  const adminUrl = testAdminUrl()
  const source = template === undefined ? undefined : await templateDatabase(adminUrl, service, template)
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(source === undefined ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${source}`)
  } finally {
    await admin.end()
  }
  return {
    engine: testEngine(),
    location: { databaseUrl: databaseUrlOf(adminUrl, name), dataDir: '', name, poolMax: 10, applicationName: `${service}-test` },
    drop: async () => {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} })
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await dropper.end()
      }
    },
  }
}

/**
 * The name of `service`'s template for `template.key` on the server at `adminUrl`, built if it is
 * not there yet. Test files run in parallel workers, so the build happens under an advisory lock
 * and into a scratch database that is renamed only once it is complete: a worker either finds a
 * finished template or waits for the one being built, and a run killed midway leaves no
 * half-migrated template behind. Templates are named by their key, so a system server keeps them
 * from one run to the next until the migrations change.
 */
export async function templateDatabase(adminUrl: string, service: string, template: TestTemplate): Promise<string> {
  const name = `sf_tpl_${identifierPart(service)}_${template.key.slice(0, 16)}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    const session = await admin.reserve()
    try {
      await session`SELECT pg_advisory_lock(hashtext(${name}))`
      try {
        const [found] = await session`SELECT 1 FROM pg_database WHERE datname = ${name}`
        if (found === undefined) {
          const scratch = `${name}_build`
          await session.unsafe(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`)
          await session.unsafe(`CREATE DATABASE ${scratch}`)
          await template.prepare(databaseUrlOf(adminUrl, scratch))
          await session.unsafe(`ALTER DATABASE ${scratch} RENAME TO ${name}`)
        }
      } finally {
        await session`SELECT pg_advisory_unlock(hashtext(${name}))`
      }
    } finally {
      session.release()
    }
  } finally {
    await admin.end()
  }
  return name
}

/** `adminUrl` with its database replaced by `name`. */
function databaseUrlOf(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** `text` reduced to what an unquoted PostgreSQL identifier may hold. */
function identifierPart(text: string): string {
  return text.toLowerCase().replace(/\W/g, '_')
}
