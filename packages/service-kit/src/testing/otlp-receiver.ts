import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A span as an OTLP receiver got it, flattened: ids as hex, attributes as plain values. */
export interface ReceivedSpan {
  readonly service: string
  readonly traceId: string
  readonly spanId: string
  /** `undefined` for a span without a parent in its process's view (a trace's root). */
  readonly parentSpanId: string | undefined
  readonly name: string
  /** OTLP's kind: 1 internal, 2 server, 3 client. */
  readonly kind: number
  readonly startNs: bigint
  readonly endNs: bigint
  readonly attributes: Readonly<Record<string, unknown>>
  readonly events: readonly { readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }[]
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly status: number
}

/** An in-process OTLP/HTTP trace receiver. */
export interface OtlpReceiver {
  /** Its base URL: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes. */
  readonly url: string
  /** Every span received so far. */
  readonly spans: readonly ReceivedSpan[]
  /** Content types of the export requests received, in order. */
  readonly contentTypes: readonly string[]
  /** Resolves with the spans of `traceId` once `done` holds for them; rejects after `timeoutMs`. */
  waitForTrace(traceId: string, done: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<readonly ReceivedSpan[]>
  close(): Promise<void>
}

interface JsonAnyValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: number | string
  doubleValue?: number
  arrayValue?: { values?: JsonAnyValue[] }
}
interface JsonKeyValue {
  key: string
  value: JsonAnyValue
}
interface JsonSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string | number
  endTimeUnixNano: string | number
  attributes?: JsonKeyValue[]
  events?: { name: string; attributes?: JsonKeyValue[] }[]
  status?: { code?: number }
}
interface JsonExport {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[]
}

function valueOf(value: JsonAnyValue): unknown {
  if (value.stringValue !== undefined) {
    return value.stringValue
  }
  if (value.boolValue !== undefined) {
    return value.boolValue
  }
  if (value.intValue !== undefined) {
    return Number(value.intValue)
  }
  if (value.doubleValue !== undefined) {
    return value.doubleValue
  }
  return value.arrayValue?.values?.map(valueOf)
}

function attributesOf(list: readonly JsonKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]))
}

/**
 * Starts an OTLP/HTTP receiver on loopback that takes `POST /v1/traces` in OTLP's JSON encoding
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps every span. An export in protobuf is
 * acknowledged and its content type kept, its spans not decoded.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const contentTypes: string[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const type = request.headers['content-type'] ?? ''
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end()
        return
      }
      contentTypes.push(type)
      if (type.startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonExport
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'])
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : span.parentSpanId,
                name: span.name,
                kind: span.kind,
                startNs: BigInt(span.startTimeUnixNano),
                endNs: BigInt(span.endTimeUnixNano),
                attributes: attributesOf(span.attributes),
                events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributesOf(event.attributes) })),
                status: span.status?.code ?? 0,
              })
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': type.startsWith('application/json') ? 'application/json' : 'application/x-protobuf' }).end(type.startsWith('application/json') ? '{}' : '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    waitForTrace: async (traceId, done, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs
      for (;;) {
        const found = spans.filter((span) => span.traceId === traceId)
        if (done(found)) {
          return found
        }
        if (Date.now() > until) {
          throw new Error(`trace ${traceId} incomplete after ${timeoutMs} ms: ${found.map((span) => `${span.service} ${span.name}`).join('; ')}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => { resolve() })
    }),
  }
}
