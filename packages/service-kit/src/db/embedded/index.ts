/**
 * `@storefront/service-kit/embedded`: the embedded PostgreSQL server alone, for tools that start or
 * administer it (the launcher, `npm run db:reset`). The package's main entry brings Fastify, undici
 * and prom-client with it, about 0.3 s of module loading that the launcher would otherwise spend
 * before it can start the server, on the way to every `npm start`.
 *
 * @module
 */
export { EmbeddedCluster, type EmbeddedClusterOptions, isAcceptingConnections } from './embedded-cluster.js'
export { DEFAULT_EMBEDDED_PORT, type EmbeddedCredentials, credentialsPath, loadCredentials } from './credentials.js'
export { defaultEmbeddedDataDir, repositoryRoot } from './repository-root.js'
// The services the launcher makes a database for; a module of its own, so this entry stays light.
export { STOREFRONT_SERVICES, type StorefrontService } from '../../storefront-services.js'
