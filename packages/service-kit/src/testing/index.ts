/**
 * Test helpers for Storefront services: a fresh database on the engine under test, a test
 * environment, and the list of an app's routes. Import from `@storefront/service-kit/testing`.
 *
 * @module
 */
export { EMBEDDED_TEST_URL_VARIABLE, type TestDatabase, type TestEngine, createTestDatabase, testAdminUrl, testEngine } from './test-database.js'
export { TEST_SERVICE_TOKEN, authHeaders, testBaseEnv } from './test-env.js'
export { type TableLock, lockTable } from './lock-table.js'
export { type DeclaredRoute, declaredRoutes } from './declared-routes.js'
export { type ProbeAnswer, type ProbeExtras, type RouteProbe, probeEveryRoute, problemEverywhere } from './probe-every-route.js'
export { type TestCluster, createTestCluster, freePort } from './test-cluster.js'
