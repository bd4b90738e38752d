/**
 * Vitest global setup: one embedded PostgreSQL server for the whole test run, in a fresh data
 * directory on a free port, so `npm test` on a fresh clone needs no system PostgreSQL. Each test
 * file creates (and drops) its own databases on it; the workers find it through
 * `STOREFRONT_TEST_EMBEDDED_PG_URL`.
 */
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { EmbeddedCluster, credentialsPath } from '../../packages/service-kit/src/index.js'
import { EMBEDDED_TEST_URL_VARIABLE } from '../../packages/service-kit/src/testing/index.js'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export default async function setup(): Promise<() => Promise<void>> {
  // Straight under the temporary directory, which every user may traverse: run as root, the
  // server runs as the postgres OS user, which could not enter a private folder of root's.
  const dataDir = join(tmpdir(), `storefront-test-pg-${randomBytes(4).toString('hex')}`)
  const cluster = new EmbeddedCluster({ dataDir, port: await freePort() })
  await cluster.start()
  process.env[EMBEDDED_TEST_URL_VARIABLE] = cluster.adminUrl
  return async () => {
    await cluster.stop()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(credentialsPath(dataDir), { force: true })
  }
}
