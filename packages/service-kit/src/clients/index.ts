/**
 * The resilient HTTP client for calling other services: `UpstreamClient` (balancing over replicas
 * with outlier detection, deadlines, retries with a budget, a breaker, bodies read within the
 * deadline) and what it answers and throws. Import from `@storefront/service-kit/clients`; kept
 * out of the main entry so that a service that calls nobody does not load undici at start.
 *
 * @module
 */
export { UpstreamClient } from './upstream-client.js'
export type { ReplicaState } from './replica.js'
export type { ReplicaStats } from './replica-set.js'
export type { OutlierDetectionOptions, UpstreamClientOptions, UpstreamHeaders, UpstreamOutcomeEvent, UpstreamRequestOptions, UpstreamResponse, UpstreamRetryOptions, UpstreamSendOptions, UpstreamThrottleStats, UpstreamWriteMethod } from './upstream-client-options.js'
export { type DownstreamProblem, UpstreamError, type UpstreamErrorCode, type UpstreamErrorDetails, isUpstreamError } from './upstream-error.js'
export { type UpstreamOutcome, isLocalRefusal, isOwnTimeout } from './upstream-policy.js'
