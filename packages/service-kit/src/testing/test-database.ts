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

/**
 * Creates an empty database on the current test server. It outlives closing and reopening (a test
 * can restart a service on it to check durability) until `drop`.
 */
export async function createTestDatabase(service: string): Promise<TestDatabase> {
  const name = `sf_test_${service.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`
  const adminUrl = testAdminUrl()
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    engine: testEngine(),
    location: { databaseUrl: url.toString(), dataDir: '', name, poolMax: 10, applicationName: `${service}-test` },
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
