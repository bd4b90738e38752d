import { randomBytes } from 'node:crypto'

import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'

import { type TestDatabase, type TestTemplate, createTestDatabase, templateDatabase, testAdminUrl } from './test-database.js'

const created: TestDatabase[] = []
const templates: string[] = []

afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()))
  const admin = postgres(testAdminUrl(), { max: 1, onnotice: () => {} })
  for (const name of templates) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
  await admin.end()
})

/** A template that creates `widgets (id int)` holding one row, and counts how often it was built. */
function widgetsTemplate(fail = false): TestTemplate & { builds: number } {
  const template = {
    key: randomBytes(16).toString('hex'),
    builds: 0,
    prepare: async (databaseUrl: string) => {
      template.builds += 1
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
      try {
        await sql`CREATE TABLE widgets (id int)`
        await sql`INSERT INTO widgets VALUES (7)`
        if (fail) {
          throw new Error('the template could not be built')
        }
      } finally {
        await sql.end()
      }
    },
  }
  return template
}

async function widgetIds(database: TestDatabase): Promise<number[]> {
  const sql = postgres(database.location.databaseUrl ?? '', { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<Array<{ id: number }>>`SELECT id FROM widgets`
    return rows.map((row) => row.id)
  } finally {
    await sql.end()
  }
}

describe('createTestDatabase with a template', () => {
  it('clones what the template built, and builds it once for databases created at the same time', async () => {
    const template = widgetsTemplate()
    const databases = await Promise.all([1, 2, 3].map(() => createTestDatabase('widgets', template)))
    created.push(...databases)
    templates.push(await templateDatabase(testAdminUrl(), 'widgets', template))
    expect(template.builds).toBe(1)
    for (const database of databases) {
      expect(await widgetIds(database)).toEqual([7])
    }
  })

  it('gives each clone its own data', async () => {
    const template = widgetsTemplate()
    const [first, second] = await Promise.all([createTestDatabase('widgets', template), createTestDatabase('widgets', template)])
    created.push(first, second)
    templates.push(await templateDatabase(testAdminUrl(), 'widgets', template))
    const sql = postgres(first.location.databaseUrl ?? '', { max: 1, onnotice: () => {} })
    await sql`INSERT INTO widgets VALUES (8)`
    await sql.end()
    expect(await widgetIds(first)).toEqual([7, 8])
    expect(await widgetIds(second)).toEqual([7])
  })

  it('leaves no template behind when building it fails, so the next database builds it again', async () => {
    const failing = widgetsTemplate(true)
    await expect(createTestDatabase('widgets', failing)).rejects.toThrow('the template could not be built')
    const admin = postgres(testAdminUrl(), { max: 1, onnotice: () => {} })
    const left = await admin<Array<{ datname: string }>>`SELECT datname FROM pg_database WHERE datname LIKE ${`sf_tpl_widgets_${failing.key.slice(0, 16)}%`}`
    await admin.end()
    expect(left.map((row) => row.datname)).toEqual([`sf_tpl_widgets_${failing.key.slice(0, 16)}_build`])

    const working = { ...widgetsTemplate(), key: failing.key }
    const database = await createTestDatabase('widgets', working)
    created.push(database)
    templates.push(await templateDatabase(testAdminUrl(), 'widgets', working))
    expect(await widgetIds(database)).toEqual([7])
  })
})
