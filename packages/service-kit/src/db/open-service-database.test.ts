import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import postgres from 'postgres'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { type TestDatabase, createTestDatabase, testAdminUrl } from '../testing/test-database.js'
import type { Database } from './database.js'
import { insertInBatches } from './insert-in-batches.js'
import { type ServiceDatabaseDefinition, type ServiceDatabaseEnv, openServiceDatabase } from './open-service-database.js'

let testDb: TestDatabase
let folder: string
const opened: Database[] = []

beforeEach(async () => {
  testDb = await createTestDatabase('open_service')
  folder = await mkdtemp(join(tmpdir(), 'storefront-service-migrations-'))
  await writeFile(join(folder, '001_widgets.sql'), 'CREATE TABLE widgets (id int PRIMARY KEY)')
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()))
  await testDb.drop()
  await rm(folder, { recursive: true, force: true })
})

function env(seed: boolean): ServiceDatabaseEnv {
  return { DATABASE_URL: testDb.location.databaseUrl, DATA_DIR: '', DB_POOL_MAX: 2, SEED_DEMO_DATA: seed }
}

async function open(definition: Partial<ServiceDatabaseDefinition>, seed: boolean): Promise<Database> {
  const db = await openServiceDatabase({ name: 'widgets', migrations: pathToFileURL(`${folder}/`), ...definition }, env(seed))
  opened.push(db)
  return db
}

const ids = async (db: Database): Promise<number[]> => (await db.query<{ id: number }>('SELECT id FROM widgets ORDER BY id')).map((row) => row.id)

describe('openServiceDatabase', () => {
  it('migrates, writes the demo rows once when SEED_DEMO_DATA is set, and runs afterOpen at every open', async () => {
    let afterOpens = 0
    const definition = {
      seedDemoData: async (tx: Parameters<NonNullable<ServiceDatabaseDefinition['seedDemoData']>>[0]) => {
        await tx.query('INSERT INTO widgets VALUES (1), (2)')
      },
      afterOpen: async () => {
        afterOpens += 1
      },
    }
    const first = await open(definition, true)
    expect(await ids(first)).toEqual([1, 2])
    await first.query('DELETE FROM widgets WHERE id = 1')
    const second = await open(definition, true)
    expect(await ids(second)).toEqual([2])
    expect(afterOpens).toBe(2)
  })

  it('writes no demo rows without SEED_DEMO_DATA', async () => {
    const db = await open(
      {
        seedDemoData: async (tx) => {
          await tx.query('INSERT INTO widgets VALUES (1)')
        },
      },
      false,
    )
    expect(await ids(db)).toEqual([])
  })

  it('rejects with the step\'s error and leaves no connection open when a step fails', async () => {
    await expect(
      openServiceDatabase(
        {
          name: 'widgets',
          migrations: pathToFileURL(`${folder}/`),
          afterOpen: () => Promise.reject(new Error('purge failed')),
        },
        env(false),
      ),
    ).rejects.toThrow('purge failed')
    const admin = postgres(testAdminUrl(), { max: 1, onnotice: () => {} })
    const name = testDb.location.name
    // A backend lingers for a moment after its client hangs up.
    let left = -1
    for (let attempt = 0; attempt < 50 && left !== 0; attempt += 1) {
      const [row] = await admin<Array<{ count: number }>>`SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = ${name}`
      left = row?.count ?? -1
      if (left !== 0) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    await admin.end()
    expect(left).toBe(0)
  })
})

describe('insertInBatches', () => {
  it('writes ids 1..count in batches of batchSize, reporting progress after each', async () => {
    const db = await open({}, false)
    const batches: number[][] = []
    const progress: number[] = []
    await insertInBatches(
      db,
      2500,
      async (queryable, batch) => {
        batches.push([batch[0] ?? 0, batch.at(-1) ?? 0])
        await queryable.query('INSERT INTO widgets SELECT * FROM unnest($1::int[])', [batch])
      },
      { batchSize: 1000, onProgress: (done) => progress.push(done) },
    )
    expect(batches).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2500],
    ])
    expect(progress).toEqual([1000, 2000, 2500])
    expect((await db.query<{ count: number }>('SELECT count(*)::int AS count FROM widgets'))[0]?.count).toBe(2500)
  })

  it('writes nothing for a count of 0', async () => {
    const db = await open({}, false)
    let calls = 0
    await insertInBatches(db, 0, async () => {
      calls += 1
    })
    expect(calls).toBe(0)
  })
})
