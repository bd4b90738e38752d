import { ConfigError } from '../config/env.js'

/** How a process traces, from the standard `OTEL_*` variables. */
export interface TracingSettings {
  /** `OTEL_SDK_DISABLED=true`: no SDK at all, no trace ids, nothing passed on. */
  readonly disabled: boolean
  /** Where spans go; `undefined` when nothing is exported (no endpoint, or `OTEL_TRACES_EXPORTER=none`). */
  readonly export: { readonly url: string; readonly protocol: 'http/protobuf' | 'http/json'; readonly batch: BatchSettings } | undefined
  /** `service.name` of the process's spans. */
  readonly serviceName: string
}

/** The batch span processor's settings (`OTEL_BSP_*`); the SDK's defaults where unset. */
interface BatchSettings {
  readonly scheduledDelayMillis?: number
  readonly exportTimeoutMillis?: number
  readonly maxQueueSize?: number
  readonly maxExportBatchSize?: number
}

const PROTOCOLS = new Set(['http/protobuf', 'http/json'])

const BATCH_VARIABLES = {
  scheduledDelayMillis: 'OTEL_BSP_SCHEDULE_DELAY',
  exportTimeoutMillis: 'OTEL_BSP_EXPORT_TIMEOUT',
  maxQueueSize: 'OTEL_BSP_MAX_QUEUE_SIZE',
  maxExportBatchSize: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
} as const

/**
 * Reads the OpenTelemetry variables a Storefront process honours: `OTEL_SDK_DISABLED`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_EXPORTER_OTLP_PROTOCOL`
 * (or its `_TRACES_` form), `OTEL_TRACES_EXPORTER`, `OTEL_SERVICE_NAME` and the batch processor's
 * `OTEL_BSP_*` (which the SDK no longer reads itself). The exporter reads the
 * rest itself (headers, timeout, compression). A bad value is a `ConfigError`, as for any variable.
 */
export function readTracingSettings(env: Readonly<Record<string, string | undefined>>, service: string): TracingSettings {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim()
    return raw === undefined || raw === '' ? undefined : raw
  }
  const disabled = value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true'
  const serviceName = value('OTEL_SERVICE_NAME') ?? service
  const endpointVariable = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') === undefined ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  const endpoint = value(endpointVariable)
  const exporter = value('OTEL_TRACES_EXPORTER')?.toLowerCase()
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    throw new ConfigError('OTEL_TRACES_EXPORTER', 'must be otlp or none', exporter)
  }
  if (disabled || endpoint === undefined || exporter === 'none') {
    return { disabled, export: undefined, serviceName }
  }
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new ConfigError(endpointVariable, 'must be an http(s) URL', endpoint)
  }
  const protocolVariable = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') === undefined ? 'OTEL_EXPORTER_OTLP_PROTOCOL' : 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
  const protocol = value(protocolVariable) ?? 'http/protobuf'
  if (!PROTOCOLS.has(protocol)) {
    // gRPC would need a second transport for the same spans; a Collector takes OTLP over HTTP.
    throw new ConfigError(protocolVariable, 'must be http/protobuf or http/json (OTLP over HTTP, port 4318)', protocol)
  }
  const batch: Record<string, number> = {}
  for (const [setting, variable] of Object.entries(BATCH_VARIABLES)) {
    const raw = value(variable)
    if (raw !== undefined) {
      if (!/^\d+$/.test(raw) || Number(raw) < 1) {
        throw new ConfigError(variable, 'must be a whole number >= 1', raw)
      }
      batch[setting] = Number(raw)
    }
  }
  // The general endpoint is a base the signal's path is added to; the traces endpoint is used as is.
  const url = endpointVariable === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? `${endpoint.replace(/\/+$/, '')}/v1/traces` : endpoint
  return { disabled, export: { url, protocol: protocol as 'http/protobuf' | 'http/json', batch }, serviceName }
}
