/**
 * Vitest global setup: one embedded PostgreSQL server for the whole test run, in a fresh data
 * directory on a free port, so `npm test` on a fresh clone needs no system PostgreSQL. Each test
 * file creates (and drops) its own databases on it; the workers find it through
 * `STOREFRONT_TEST_EMBEDDED_PG_URL`.
 */
import { EMBEDDED_TEST_URL_VARIABLE, createTestCluster } from '../../packages/service-kit/src/testing/index.js'

export default async function setup(): Promise<() => Promise<void>> {
  const { cluster, remove } = await createTestCluster('test-pg')
  await cluster.start()
  process.env[EMBEDDED_TEST_URL_VARIABLE] = cluster.adminUrl
  return remove
}
