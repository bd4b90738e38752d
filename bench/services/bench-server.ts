import { readFileSync, rmSync } from 'node:fs'

import { isAcceptingConnections } from '@storefront/service-kit/embedded'
import { createTestCluster } from '@storefront/service-kit/testing'

/** The local system server the benchmark uses by default (the one CI starts). */
const DEFAULT_PG_URL = 'postgres://storefront:storefront@127.0.0.1:5432/postgres'

/** The PostgreSQL server the benchmark's databases are created on. */
export interface BenchServer {
  /** A URL whose role may create databases. */
  readonly adminUrl: string
  /** Which server it is, for the report. */
  readonly description: string
  /** Stops and removes the server when the run started one; nothing otherwise. */
  release(): Promise<void>
}

/**
 * Where the run's databases go: `explicit` (`--pg-url` or `BENCH_PG_URL`) when given, else the local
 * server at {@link DEFAULT_PG_URL} when something listens on its port, else an embedded PostgreSQL
 * server of the run's own (the one `npm start` runs), in a temporary folder on a free port, stopped
 * and removed at the end, Ctrl-C included.
 */
export async function benchServer(explicit: string | undefined, log: (line: string) => void): Promise<BenchServer> {
  if (explicit !== undefined && explicit !== '') {
    return { adminUrl: explicit, description: 'the server of --pg-url / BENCH_PG_URL', release: () => Promise.resolve() }
  }
  if (await isAcceptingConnections(Number(new URL(DEFAULT_PG_URL).port))) {
    return { adminUrl: DEFAULT_PG_URL, description: 'the local server on port 5432', release: () => Promise.resolve() }
  }
  log('no PostgreSQL server on 127.0.0.1:5432 and no --pg-url: starting an embedded one for this run')
  const test = await createTestCluster('bench-services')
  const { dataDir } = test.cluster
  // A run that ends through process.exit (the services' Ctrl-C handler) cannot wait for a stop:
  // the server is ended at once (SIGQUIT) and its folder removed.
  const onExit = (): void => {
    try {
      process.kill(Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]), 'SIGQUIT')
    } catch {
      // Not running (any more).
    }
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(`${dataDir}.credentials.json`, { force: true })
  }
  process.once('exit', onExit)
  try {
    await test.cluster.start()
  } catch (error) {
    process.removeListener('exit', onExit)
    await test.remove()
    throw error
  }
  return {
    adminUrl: test.cluster.adminUrl,
    description: 'an embedded server started for this run (no server on port 5432)',
    release: async () => {
      process.removeListener('exit', onExit)
      await test.remove()
    },
  }
}
