import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { credentialsPath } from '../db/embedded/credentials.js'
import { EmbeddedCluster } from '../db/embedded/embedded-cluster.js'

/** A port nothing listens on now: one the OS picked for a moment, then released. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** An embedded PostgreSQL cluster of a test's own, and its removal. */
export interface TestCluster {
  readonly cluster: EmbeddedCluster
  /** Stops the server and deletes its data and credentials. */
  remove(): Promise<void>
}

/**
 * A fresh embedded cluster on a free port, not started. Its data directory lies straight under the
 * temporary directory, which every user may traverse: run as root, the server runs as the postgres
 * OS user, which could not enter a private folder of root's.
 */
export async function createTestCluster(label: string): Promise<TestCluster> {
  const dataDir = join(tmpdir(), `storefront-${label}-${randomBytes(4).toString('hex')}`)
  const cluster = new EmbeddedCluster({ dataDir, port: await freePort() })
  return {
    cluster,
    remove: async () => {
      await cluster.stop()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(credentialsPath(dataDir), { force: true })
    },
  }
}
