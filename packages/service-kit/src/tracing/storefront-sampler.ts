import { type Attributes, type Context, type Link, SpanKind, TraceFlags, trace } from '@opentelemetry/api'
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace'

import type { LocalSpanProcessors } from './local-span-processors.js'

const RECORD_AND_SAMPLE: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED }
const RECORD: SamplingResult = { decision: SamplingDecision.RECORD }
const DROP: SamplingResult = { decision: SamplingDecision.NOT_RECORD }

/**
 * Which spans are made for real:
 * - exporting, a span follows its caller's decision (`traceparent`'s sampled flag) and a trace
 *   that starts here is sampled: every page is traced end to end, or none of it is;
 * - health checks and metrics scrapes are never recorded (they still carry a trace id): they come
 *   every few seconds and say nothing about a page;
 * - a span that is not exported is still recorded while a local processor wants spans (the BFF's
 *   slow-page buffer), and is otherwise a no-op span that only carries the trace id on.
 */
export class StorefrontSampler implements Sampler {
  constructor(
    private readonly exporting: boolean,
    private readonly local: LocalSpanProcessors,
  ) {}

  shouldSample(context: Context, _traceId: string, _name: string, kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    if (kind === SpanKind.SERVER && isProbe(attributes['url.path'])) {
      return DROP
    }
    if (this.exporting) {
      const parent = trace.getSpanContext(context)
      if (parent === undefined || (parent.traceFlags & TraceFlags.SAMPLED) !== 0) {
        return RECORD_AND_SAMPLE
      }
    }
    return this.local.active ? RECORD : DROP
  }

  toString(): string {
    return `StorefrontSampler{exporting=${String(this.exporting)}}`
  }
}

/** `/health/…` and `/metrics`: the probes of an orchestrator and a scraper. */
function isProbe(path: unknown): boolean {
  return typeof path === 'string' && (path.startsWith('/health/') || path === '/metrics')
}
