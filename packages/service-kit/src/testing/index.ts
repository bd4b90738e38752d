/**
 * Test helpers for Storefront services: a service started on a fresh database cloned from its
 * migrated template, a test environment, problem assertions, and the list of an app's routes.
 * Import from `@storefront/service-kit/testing`.
 *
 * @module
 */
export { EMBEDDED_TEST_URL_VARIABLE, type TestDatabase, type TestEngine, type TestTemplate, createTestDatabase, templateDatabase, testAdminUrl, testEngine } from './test-database.js'
export { type ServiceUnderTest, type ServiceUnderTestDefinition, startServiceUnderTest } from './service-under-test.js'
export { expectProblem } from './expect-problem.js'
export { TEST_SERVICE_TOKEN, authHeaders, testBaseEnv } from './test-env.js'
export { type TableLock, lockTable } from './lock-table.js'
export { type DeclaredRoute, declaredRoutes } from './declared-routes.js'
export { type ProbeAnswer, type ProbeExtras, type RouteProbe, probeEveryRoute, problemEverywhere } from './probe-every-route.js'
export { type TestCluster, createTestCluster, freePort } from './test-cluster.js'
export { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js'
export { ANSWER_RECORD_ENV, CONTRACT_HEADERS, type RecordedAnswer } from '../http/answer-record.js'
