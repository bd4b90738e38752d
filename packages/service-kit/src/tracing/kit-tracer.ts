import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api'

let current: { readonly provider: TracerProvider; readonly tracer: Tracer } | undefined

/**
 * The tracer of every span the kit makes (server, client and query spans): no-op spans until
 * `startTracing` registers a provider, then the provider's. Looked up through the global provider
 * on each call, because a proxy taken once would keep the first provider after a restart of
 * tracing (the API replaces its proxy when tracing is turned off); kept while the provider stays.
 */
export function kitTracer(): Tracer {
  const provider = trace.getTracerProvider()
  if (current?.provider !== provider) {
    current = { provider, tracer: provider.getTracer('@storefront/service-kit') }
  }
  return current.tracer
}
