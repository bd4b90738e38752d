import { type Attributes, type Context, type Link, SpanKind, TraceFlags, createContextKey, trace } from '@opentelemetry/api'
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace'

import type { LocalSpanProcessors } from './local-span-processors.js'

const RECORD_AND_SAMPLE: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED }
const RECORD: SamplingResult = { decision: SamplingDecision.RECORD }
const DROP: SamplingResult = { decision: SamplingDecision.NOT_RECORD }

/**
 * Set in the parent context of a request's server span whose trace its caller already chose to
 * record locally: the gate that chose is asked once per trace, and asking it again could say no.
 */
export const RECORD_LOCALLY = createContextKey('storefront.recordLocally')

/**
 * Which spans are made for real:
 * - exporting, a span follows its caller's decision (`traceparent`'s sampled flag) and a trace
 *   that starts here is sampled: every page is traced end to end, or none of it is;
 * - health checks and metrics scrapes are never recorded (they still carry a trace id): they come
 *   every few seconds and say nothing about a page;
 * - a span that is not exported is still recorded while a local processor wants spans (the BFF's
 *   slow-page buffer, while its loop has room), decided for a whole trace at its first span in
 *   this process, and is otherwise a no-op span that only carries the trace id on.
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
    const parent = trace.getSpan(context)
    if (this.exporting) {
      const parentContext = parent?.spanContext()
      if (parentContext === undefined || (parentContext.traceFlags & TraceFlags.SAMPLED) !== 0) {
        return RECORD_AND_SAMPLE
      }
    }
    // A trace recorded here is recorded whole: a span under a recorded parent is recorded, and
    // whether to record at all is asked once, at the trace's first span in this process.
    if (parent !== undefined && !parent.spanContext().isRemote) {
      return parent.isRecording() ? RECORD : DROP
    }
    return context.getValue(RECORD_LOCALLY) === true || this.local.active ? RECORD : DROP
  }

  toString(): string {
    return `StorefrontSampler{exporting=${String(this.exporting)}}`
  }
}

/** `/health/…` and `/metrics`: the probes of an orchestrator and a scraper. */
export function isProbe(path: unknown): boolean {
  return typeof path === 'string' && (path.startsWith('/health/') || path === '/metrics')
}
