/**
 * `@storefront/service-kit`: what every Storefront service shares. Fastify with strict schemas,
 * pino logs carrying the request id, validated environment, RFC 9457 problems, health, Prometheus
 * metrics, the service token, `x-request-timeout-ms` deadlines, fault injection, graceful shutdown,
 * and PostgreSQL through one driver, on the embedded server or any other.
 *
 * @module
 */
// The plugins extend Fastify's request and instance types; these imports carry those declarations.
import './http/request-log-controller.js'
import './plugins/fault-injection.js'
import './plugins/metrics.js'
import './plugins/request-context.js'
import './plugins/service-auth.js'
import './openapi/route-docs.js'

export { type BaseEnv, type DatabaseEnv, LOG_LEVELS, baseEnv, checkBaseEnv, databaseEnv } from './config/base-env.js'
export { isLoopback } from './config/loopback.js'
export { originList } from './config/origin-list.js'
export { type TrustProxy, trustProxy } from './config/trust-proxy.js'
export { EXAMPLE_SECRETS, MIN_SECRET_LENGTH, SECRET_VARIABLES, type SecretVariable, checkSecret, secretWeakness } from './config/secret-strength.js'
export { ConfigError, type EnvOf, type EnvVar, MAX_FAULT_DELAY_MS, type MsRange, bool, int, msRange, oneOf, optionalSecret, optionalStr, port, probability, readEnv, str } from './config/env.js'
export type { Database, DatabaseStats, QueryOptions, Queryable, Row } from './db/database.js'
export { type Migration, loadMigrations, migrate } from './db/migrate.js'
export { type DatabaseLocation, openDatabase } from './db/open-database.js'
export { seedDemoDataOnce } from './db/demo-data.js'
export { type ServiceDatabaseDefinition, type ServiceDatabaseEnv, openServiceDatabase } from './db/open-service-database.js'
export { type BatchInsert, insertInBatches } from './db/insert-in-batches.js'
export { EmbeddedCluster, type EmbeddedClusterOptions, isAcceptingConnections } from './db/embedded/embedded-cluster.js'
export { DEFAULT_EMBEDDED_PORT, type EmbeddedCredentials, credentialsPath, loadCredentials } from './db/embedded/credentials.js'
export { defaultEmbeddedDataDir, repositoryRoot } from './db/embedded/repository-root.js'
export { AppError, type ErrorDefinition, defineErrors, kitErrors } from './errors/app-error.js'
export { type Problem, type ProblemResponse, problemOf, problemType, toProblem } from './errors/to-problem.js'
export { type ServiceAppOptions, createServiceApp } from './http/create-service-app.js'
export { type DescribeRoute, type DocumentedRoute } from './openapi/document-route.js'
export { type OpenApiOptions, SERVICE_TOKEN_SCHEME } from './openapi/openapi-plugin.js'
export type { ResponseHeader } from './openapi/response-headers.js'
export type { RouteAnswers } from './openapi/route-answers.js'
export type { DocumentedError, RouteDocs, SecurityRequirement } from './openapi/route-docs.js'
export { type RunServiceOptions, runService } from './http/start-service.js'
export { type FaultSettings, type FaultSettingsBody, faultSettingsSchema, parseFaultDelay } from './plugins/fault-injection.js'
export { ID_PATTERN, MAX_ID, parseId } from './http/ids.js'
export type { RoutePlugin } from './http/route-plugin.js'
export { ReadThroughCache, type ReadThroughCacheOptions, type SignalSource } from './cache/read-through-cache.js'
export { type ProgressBar, type ProgressBarOptions, type ProgressStream, type SeedCommandOptions, progressBar, runSeedCommand } from './cli/index.js'
// The client itself is at `@storefront/service-kit/clients`; its error is here too, as every service's problem mapping knows it.
export { type DownstreamProblem, UpstreamError, type UpstreamErrorCode, type UpstreamErrorDetails, isUpstreamError } from './clients/upstream-error.js'
export { STOREFRONT_SERVICES, type StorefrontService } from './storefront-services.js'
export { type Tracing, addLocalSpanProcessor, isTracing, startTracing } from './tracing/start-tracing.js'
export { serverSpanOf } from './tracing/server-spans.js'
export { policySpanEvents } from './tracing/policy-span-events.js'
export { StorefrontAttributes } from './tracing/span-names.js'
