import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { type TestDatabase, createTestDatabase } from '@storefront/service-kit/testing'
import { afterAll, describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const databases: TestDatabase[] = []

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()))
})

describe.each(['products', 'inventory'])('npm run db:seed -w @storefront/%s', (service) => {
  it('runs with the server\'s variables but no SERVICE_TOKEN: nothing listens', async () => {
    const database = await createTestDatabase(service)
    databases.push(database)
    const { PATH, HOME } = process.env
    const run = spawnSync(process.execPath, ['--import', 'tsx', `services/${service}/src/seed-cli.ts`, '--products', '25'], {
      cwd: repoRoot,
      env: { PATH, HOME, DATABASE_URL: database.location.databaseUrl },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(run.stderr).not.toMatch(/SERVICE_TOKEN/)
    expect(run.status).toBe(0)
    expect(run.stderr).toMatch(/1\.\.25 present/)
  })
})
