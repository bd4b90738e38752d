import { createHash } from 'node:crypto'

import type { FastifyInstance } from 'fastify'

import type { Database } from '../db/database.js'
import { loadMigrations } from '../db/migrate.js'
import { type ServiceDatabaseDefinition, type ServiceDatabaseEnv, openServiceDatabase } from '../db/open-service-database.js'
import { type TestDatabase, type TestTemplate, createTestDatabase } from './test-database.js'
import { TEST_SERVICE_TOKEN } from './test-env.js'

/** What the harness needs to know of a service: how it reads its environment, opens its database and builds its app. */
export interface ServiceUnderTestDefinition<Env extends ServiceDatabaseEnv> {
  /** The service's name (`products`); names its test databases. */
  readonly name: string
  /** Its validated environment, from environment strings. */
  readonly readEnv: (source: Readonly<Record<string, string>>) => Env
  /** Its database: migrations, demo rows and what runs at every open. */
  readonly database: (env: Env) => ServiceDatabaseDefinition
  /** Its app, on the open database, not listening. */
  readonly buildApp: (env: Env, deps: { readonly db: Database; readonly logger: false }) => FastifyInstance
  /** Environment strings every test start of this service gets, before the test's own overrides. */
  readonly testEnv?: Readonly<Record<string, string>>
}

/** A service app running in the test's process on a test database. */
export interface ServiceUnderTest<Env> {
  readonly app: FastifyInstance
  readonly db: Database
  readonly env: Env
  readonly testDb: TestDatabase
  /** Closes the app, then the database, and keeps the data, as a process that stops would. */
  stop(): Promise<void>
  /** Stops, then drops the database. */
  close(): Promise<void>
}

/**
 * Starts a service for a test: reads its environment (the test token, silent logs, demo data, the
 * definition's `testEnv`, then `overrides`), opens its database and builds the app, ready to
 * `inject` into.
 *
 * On a fresh database cloned from the service's migrated template unless `existing` is given, in
 * which case it reopens that one: a restart over the data a stopped instance left.
 */
export async function startServiceUnderTest<Env extends ServiceDatabaseEnv>(
  definition: ServiceUnderTestDefinition<Env>,
  overrides: Readonly<Record<string, string>> = {},
  existing?: TestDatabase,
): Promise<ServiceUnderTest<Env>> {
  const testDb = existing ?? (await createTestDatabase(definition.name, await migratedTemplate(definition)))
  const env = definition.readEnv({
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    LOG_LEVEL: 'silent',
    SEED_DEMO_DATA: 'true',
    ...definition.testEnv,
    ...overrides,
    DATABASE_URL: testDb.location.databaseUrl ?? '',
  })
  const db = await openServiceDatabase(definition.database(env), env)
  let app: FastifyInstance
  try {
    app = definition.buildApp(env, { db, logger: false })
    await app.ready()
  } catch (error) {
    await db.close()
    throw error
  }
  const stop = async (): Promise<void> => {
    await app.close()
    await db.close()
  }
  return {
    app,
    db,
    env,
    testDb,
    stop,
    close: async () => {
      await stop()
      await testDb.drop()
    },
  }
}

/** Templates by migrations folder: the fingerprint is read once per worker. */
const templates = new Map<string, Promise<TestTemplate>>()

/** The service's template: its migrations applied to an empty database, no demo rows. */
function migratedTemplate<Env extends ServiceDatabaseEnv>(definition: ServiceUnderTestDefinition<Env>): Promise<TestTemplate> {
  const env = definition.readEnv({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, LOG_LEVEL: 'silent', ...definition.testEnv })
  const { migrations } = definition.database(env)
  let template = templates.get(migrations.href)
  if (template === undefined) {
    template = fingerprint(migrations).then((key) => ({
      key,
      prepare: async (databaseUrl: string) => {
        const db = await openServiceDatabase({ name: definition.name, migrations }, { DATABASE_URL: databaseUrl, DATA_DIR: '', DB_POOL_MAX: 1, SEED_DEMO_DATA: false })
        await db.close()
      },
    }))
    templates.set(migrations.href, template)
  }
  return template
}

/** The SHA-256 of every migration's file name and text, in order. */
async function fingerprint(folder: URL): Promise<string> {
  const hash = createHash('sha256')
  for (const migration of await loadMigrations(folder)) {
    hash.update(migration.file).update('\0').update(migration.sql).update('\0')
  }
  return hash.digest('hex')
}
