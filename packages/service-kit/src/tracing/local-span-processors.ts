import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace'

/**
 * The span processors a process keeps spans for itself with (the BFF's slow-page buffer), added
 * and removed while it runs: the SDK's provider takes its processors once, when it is made. While
 * any is present, the process records every span, exported or not (see `StorefrontSampler`).
 */
export class LocalSpanProcessors implements SpanProcessor {
  private processors: readonly SpanProcessor[] = []

  /** True while some processor wants the spans. */
  get active(): boolean {
    return this.processors.length > 0
  }

  /** Adds `processor`; returns the function that removes it. */
  add(processor: SpanProcessor): () => void {
    this.processors = [...this.processors, processor]
    return () => {
      this.processors = this.processors.filter((each) => each !== processor)
    }
  }

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) {
      processor.onStart(span, parentContext)
    }
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) {
      processor.onEnd(span)
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.forceFlush()))
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.shutdown()))
  }
}
