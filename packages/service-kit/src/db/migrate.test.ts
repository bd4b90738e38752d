import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { type TestDatabase, createTestDatabase } from '../testing/test-database.js'
import type { Database } from './database.js'
import { loadMigrations, migrate } from './migrate.js'
import { openDatabase } from './open-database.js'

let testDb: TestDatabase
let folder: string
const opened: Database[] = []

async function open(): Promise<Database> {
  const db = await openDatabase(testDb.location)
  opened.push(db)
  return db
}

async function write(file: string, sql: string): Promise<void> {
  await writeFile(join(folder, file), sql)
}

const migrations = async () => loadMigrations(pathToFileURL(`${folder}/`))

beforeEach(async () => {
  testDb = await createTestDatabase('migrate')
  folder = await mkdtemp(join(tmpdir(), 'storefront-migrations-'))
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()))
  await testDb.drop()
  await rm(folder, { recursive: true, force: true })
})

describe('migrate', () => {
  it('applies each migration once, in order, and records it with its checksum', async () => {
    await write('001_create_things.sql', 'CREATE TABLE things (id int PRIMARY KEY);')
    await write('002_add_name.sql', 'ALTER TABLE things ADD COLUMN name text;')
    const db = await open()
    expect(await migrate(db, await migrations(), 'things')).toEqual(['001', '002'])
    expect(await migrate(db, await migrations(), 'things')).toEqual([])
    const rows = await db.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version')
    expect(rows.map((row) => row.version)).toEqual(['001', '002'])
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/)
    }
  })

  it('refuses to start when an applied migration\'s file has changed, naming the file', async () => {
    await write('001_create_things.sql', 'CREATE TABLE things (id int PRIMARY KEY);')
    const db = await open()
    await migrate(db, await migrations(), 'things')
    await write('001_create_things.sql', 'CREATE TABLE things (id bigint PRIMARY KEY);')
    await expect(migrate(db, await migrations(), 'things')).rejects.toThrow(/001_create_things\.sql.*changed after it was applied/)
  })

  it('migrates once when two replicas start together', async () => {
    await write('001_create_things.sql', 'CREATE TABLE things (id int PRIMARY KEY);')
    const [first, second] = [await open(), await open()]
    const done = await Promise.all([migrate(first, await migrations(), 'things'), migrate(second, await migrations(), 'things')])
    expect(done.flat()).toEqual(['001'])
  })

  it('takes the checksum of a migration applied before checksums were kept', async () => {
    await write('001_create_things.sql', 'CREATE TABLE things (id int PRIMARY KEY);')
    const db = await open()
    await db.exec(`CREATE TABLE schema_migrations (scope text NOT NULL, version text NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, version));
      CREATE TABLE things (id int PRIMARY KEY);
      INSERT INTO schema_migrations (scope, version, name) VALUES ('things', '001', 'create_things');`)
    expect(await migrate(db, await migrations(), 'things')).toEqual([])
    const [row] = await db.query<{ checksum: string }>('SELECT checksum FROM schema_migrations')
    expect(row!.checksum).toMatch(/^[0-9a-f]{64}$/)
  })
})
