import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'

import { LocalSpanProcessors } from './local-span-processors.js'
import { StorefrontSampler } from './storefront-sampler.js'
import { readTracingSettings } from './tracing-settings.js'

/** A process's tracing, once started. */
export interface Tracing {
  /** True when spans go out over OTLP. */
  readonly exporting: boolean
  /** False when `OTEL_SDK_DISABLED=true` left tracing off altogether. */
  readonly enabled: boolean
  /** Exports what is left and stops; the process's spans are no-ops afterwards. */
  shutdown(): Promise<void>
}

/** The processors of the process's local span consumers, whether tracing is started yet or not. */
const local = new LocalSpanProcessors()
let started: Tracing | undefined

/**
 * Starts OpenTelemetry tracing for this process, once (later calls return the first): W3C trace
 * context taken from and passed to every call (`traceparent`, `tracestate`), spans kept in the
 * request's async context, and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, spans exported over
 * OTLP/HTTP in batches. Unset, nothing is exported and a span that no local processor wants is a
 * no-op that only carries its trace id (for log lines and downstream calls). `OTEL_SDK_DISABLED=true`
 * registers nothing at all.
 *
 * Throws `ConfigError` on a bad `OTEL_*` value.
 */
export function startTracing(service: string, env: Readonly<Record<string, string | undefined>> = process.env): Tracing {
  if (started !== undefined) {
    return started
  }
  const settings = readTracingSettings(env, service)
  if (settings.disabled) {
    started = { exporting: false, enabled: false, shutdown: () => Promise.resolve() }
    return started
  }
  const processors: SpanProcessor[] = [local]
  if (settings.export !== undefined) {
    // The URL from the settings read here (the exporter would read the process's environment);
    // headers, timeout and compression it still reads itself.
    const { url } = settings.export
    const exporter = settings.export.protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url })
    processors.unshift(new BatchSpanProcessor({ exporter, ...settings.export.batch }))
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, 'service.namespace': 'storefront' }),
    sampler: new StorefrontSampler(settings.export !== undefined, local),
    spanProcessors: processors,
  })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(provider)
  started = {
    exporting: settings.export !== undefined,
    enabled: true,
    shutdown: async () => {
      await provider.shutdown()
      trace.disable()
      propagation.disable()
      context.disable()
      started = undefined
    },
  }
  return started
}

/**
 * True once `startTracing` registered the SDK (and until it is shut down): what is made only for
 * traces (the policies' span events) is left out of a process that has none.
 */
export function isTracing(): boolean {
  return started?.enabled === true
}

/**
 * True when a local processor wants the trace of a request starting now that nothing exports:
 * asks the processors' gates, so it is asked once a trace (see `RECORD_LOCALLY`).
 */
export function wantsLocalRecording(): boolean {
  return started?.enabled === true && local.active
}

/** True when this process exports its spans over OTLP. */
export function isExporting(): boolean {
  return started?.exporting === true
}

/**
 * Hands every span this process records to `processor` from now on, exported or not: while one is
 * added, spans are recorded even when nothing is exported (the BFF keeps its slowest pages' spans
 * this way). `when`, asked at the first span of each trace in this process, can say no: a trace
 * that starts then is not recorded unless exported (the BFF records while its loop has room).
 * Returns the function that stops it. Spans are made only once `startTracing` ran.
 */
export function addLocalSpanProcessor(processor: SpanProcessor, when?: () => boolean): () => void {
  return local.add(processor, when)
}
