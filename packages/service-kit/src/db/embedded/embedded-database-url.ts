import { EmbeddedCluster } from './embedded-cluster.js'

/** The URL of a service's database on the embedded server, and the server when this process started it. */
export interface EmbeddedDatabase {
  readonly url: string
  /** Set when this process started the server: it stops it when it closes its database. */
  readonly startedHere: EmbeddedCluster | undefined
}

/**
 * Finds the embedded PostgreSQL server of `dataDir` (the one `npm start` runs, or one another
 * service started alone), or starts it when none runs, then makes sure `name` has its role and
 * database there. Two processes starting it at once are fine: the loser of the race finds the
 * winner's server.
 */
export async function embeddedDatabaseUrl(name: string, dataDir: string, onLog?: (line: string) => void): Promise<EmbeddedDatabase> {
  const cluster = new EmbeddedCluster({ dataDir, ...(onLog === undefined ? {} : { onLog }) })
  const startedHere = (await cluster.startUnlessRunning()) ? cluster : undefined
  return { url: await cluster.ensureDatabase(name), startedHere }
}
