import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import postgres from 'postgres'

import type { DatabaseLocation } from '../db/open-database.js'

/** The engine the service tests run on: `STOREFRONT_TEST_DB=pglite` (default) or `postgres`. */
export type TestEngine = 'pglite' | 'postgres'

/** Which engine this test run uses. */
export function testEngine(): TestEngine {
  const engine = process.env.STOREFRONT_TEST_DB ?? 'pglite'
  if (engine !== 'pglite' && engine !== 'postgres') {
    throw new Error(`STOREFRONT_TEST_DB must be pglite or postgres, got ${engine}`)
  }
  return engine
}

/** The server URL tests create their databases on: `STOREFRONT_TEST_PG_URL`. */
export function testAdminUrl(): string {
  return process.env.STOREFRONT_TEST_PG_URL ?? 'postgres://storefront:storefront@127.0.0.1:5432/postgres'
}

/** A database that exists for one test file, and its removal. */
export interface TestDatabase {
  /** Where it is: pass it to `openDatabase` (as often as you like: a restart reopens it). */
  readonly location: DatabaseLocation
  readonly engine: TestEngine
  /** Drops the database (PostgreSQL) or deletes its folder (PGlite). */
  drop(): Promise<void>
}

/**
 * Creates an empty database of the current engine: a fresh database on the PostgreSQL server, or
 * a fresh PGlite folder on disk (so a test can close and reopen it to check durability).
 */
export async function createTestDatabase(service: string): Promise<TestDatabase> {
  if (testEngine() === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), `storefront-${service}-`))
    return {
      engine: 'pglite',
      location: { dataDir, applicationName: `${service}-test` },
      drop: () => rm(dataDir, { recursive: true, force: true }),
    }
  }
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
    engine: 'postgres',
    location: { databaseUrl: url.toString(), dataDir: '', poolMax: 10, applicationName: `${service}-test` },
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
