/**
 * Test helpers for Storefront services: a fresh database on the engine under test, and a test
 * environment. Import from `@storefront/service-kit/testing`.
 *
 * @module
 */
export { type TestDatabase, type TestEngine, createTestDatabase, testAdminUrl, testEngine } from './test-database.js'
export { TEST_SERVICE_TOKEN, authHeaders, testBaseEnv } from './test-env.js'
export { type TableLock, lockTable } from './lock-table.js'
