import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace'

/**
 * The span processors a process keeps spans for itself with (the BFF's slow-page buffer), added
 * and removed while it runs: the SDK's provider takes its processors once, when it is made. While
 * any is present, the process records every span, exported or not (see `StorefrontSampler`).
 */
export class LocalSpanProcessors implements SpanProcessor {
  private processors: readonly SpanProcessor[] = []
  private gates: readonly (() => boolean)[] = []

  /**
   * True while some processor wants the spans of a trace starting now: one is added, and its
   * `when` (if any) says yes.
   */
  get active(): boolean {
    const gates = this.gates
    for (let index = 0; index < gates.length; index++) {
      if (gates[index]!()) {
        return true
      }
    }
    return false
  }

  /** Adds `processor`, wanting traces while `when` says so; returns the function that removes it. */
  add(processor: SpanProcessor, when: () => boolean = always): () => void {
    this.processors = [...this.processors, processor]
    this.gates = [...this.gates, when]
    return () => {
      const index = this.processors.indexOf(processor)
      if (index !== -1) {
        this.processors = this.processors.filter((_, at) => at !== index)
        this.gates = this.gates.filter((_, at) => at !== index)
      }
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

function always(): boolean {
  return true
}
