import { trace } from '@opentelemetry/api'

/**
 * The tracer of every span the kit makes (server, client and query spans). A proxy: it starts
 * no-op spans until `startTracing` registers a provider, then the provider's, so it can be taken
 * once, at import.
 */
export const kitTracer = trace.getTracer('@storefront/service-kit')
