import { SpanKind } from '@opentelemetry/api'
import { afterEach, describe, expect, it } from 'vitest'

import { type OtlpReceiver, startOtlpReceiver } from '../testing/otlp-receiver.js'
import { kitTracer } from './kit-tracer.js'
import { startTracing } from './start-tracing.js'

let receiver: OtlpReceiver | undefined

afterEach(async () => {
  await receiver?.close()
})

describe('the OTLP export', () => {
  it('sends spans to <endpoint>/v1/traces in protobuf by default, with the service\'s name, and flushes them on shutdown', async () => {
    receiver = await startOtlpReceiver()
    const tracing = startTracing('kit-export-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })
    expect(tracing.exporting).toBe(true)
    const span = kitTracer().startSpan('GET /things', { kind: SpanKind.SERVER })
    expect(span.isRecording()).toBe(true)
    span.end()
    // The batch is due in seconds; shutting down sends it now.
    await tracing.shutdown()
    expect(receiver.contentTypes).toEqual(['application/x-protobuf'])
  })

  it('sends them in JSON when asked, where the receiver reads them', async () => {
    receiver = await startOtlpReceiver()
    const tracing = startTracing('kit-export-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'renamed' })
    const span = kitTracer().startSpan('GET /things', { kind: SpanKind.SERVER })
    const { traceId } = span.spanContext()
    span.end()
    await tracing.shutdown()
    expect(receiver.spans).toEqual([expect.objectContaining({ service: 'renamed', traceId, name: 'GET /things', kind: 2 })])
  })

  it('exports nothing and records nothing without an endpoint, while still giving each span a trace id', async () => {
    receiver = await startOtlpReceiver()
    const tracing = startTracing('kit-export-test', {})
    expect(tracing.exporting).toBe(false)
    const span = kitTracer().startSpan('GET /things', { kind: SpanKind.SERVER })
    expect(span.isRecording()).toBe(false)
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/)
    span.end()
    await tracing.shutdown()
    expect(receiver.contentTypes).toEqual([])
  })
})
