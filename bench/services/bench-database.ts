import { randomBytes } from 'node:crypto'

import postgres from 'postgres'

/** A database created for one run, and its removal. */
export interface BenchDatabase {
  /** The `DATABASE_URL` the service gets. */
  readonly url: string
  /** The process ids of the server backends connected to it now (the service's pool). */
  backendPids(): Promise<number[]>
  /** Drops it, closing whatever connections are left. */
  drop(): Promise<void>
}

/**
 * Creates an empty database on the server behind `adminUrl` (a role allowed to create databases),
 * named after the service and a random suffix so that parallel or aborted runs never collide.
 */
export async function createBenchDatabase(adminUrl: string, service: string): Promise<BenchDatabase> {
  const name = `sf_bench_${service.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`
  await withAdmin(adminUrl, async (sql) => {
    await sql.unsafe(`CREATE DATABASE ${name}`)
  })
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    backendPids: () =>
      withAdmin(adminUrl, async (sql) => {
        const rows = await sql.unsafe<Array<{ pid: number }>>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])
        return rows.map((row) => row.pid)
      }),
    drop: () =>
      withAdmin(adminUrl, async (sql) => {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      }),
  }
}

/** The server's version, for the report. */
export async function serverVersion(adminUrl: string): Promise<string> {
  return withAdmin(adminUrl, async (sql) => {
    const rows = await sql.unsafe<Array<{ server_version: string }>>('SHOW server_version')
    return rows[0]?.server_version ?? 'unknown'
  })
}

async function withAdmin<T>(adminUrl: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 })
  try {
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}
