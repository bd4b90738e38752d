import { trace } from '@opentelemetry/api'
import type { PolicyEvent } from '@storefront/resilience'

import { StorefrontAttributes } from './span-names.js'

/**
 * Tells the active span what a resilience policy did, as span events: a retry and its delay, a
 * hedge, a timeout, and each refusal (a breaker's, the retry budget's, a throttle's or a
 * concurrency limit's) with the refusing policy. A policy emits its events in the async context of
 * the call they belong to, so the active span is that call's (the page's server span, or the
 * attempt's client span). Attempts are spans of their own, not events; a span that is not
 * recorded gets nothing.
 *
 * Subscribed with `policy.listen(policySpanEvents)` or a function form's `listener` option: no
 * policy is wrapped for tracing.
 */
export function policySpanEvents(event: PolicyEvent): void {
  if (event.type === 'attempt' || event.type === 'attempt-end' || event.type === 'limit') {
    return
  }
  const span = trace.getActiveSpan()
  if (span === undefined || !span.isRecording()) {
    return
  }
  switch (event.type) {
    case 'retry':
      span.addEvent('retry', { [StorefrontAttributes.POLICY]: 'retry', [StorefrontAttributes.ATTEMPT]: event.attempt, 'storefront.delay_ms': event.delayMs, 'error.type': errorType(event.error) })
      break
    case 'hedge':
      span.addEvent('hedge', { [StorefrontAttributes.POLICY]: 'hedge', [StorefrontAttributes.ATTEMPT]: event.attempt, 'storefront.delay_ms': event.delayMs })
      break
    case 'timeout':
      span.addEvent('timeout', { [StorefrontAttributes.POLICY]: 'timeout', 'storefront.timeout_ms': event.timeoutMs })
      break
    case 'rejection':
      // The retry policy refuses only for its budget: named so the event says which.
      span.addEvent('rejection', { [StorefrontAttributes.POLICY]: event.policy === 'retry' ? 'retry-budget' : event.policy, 'error.type': errorType(event.error), 'exception.message': event.error.message })
      break
    case 'state':
      span.addEvent('breaker state', { [StorefrontAttributes.POLICY]: 'breaker', 'storefront.breaker': event.name ?? '', 'storefront.state': event.state, 'storefront.previous_state': event.previous })
      break
    case 'fallback':
      span.addEvent('fallback', { [StorefrontAttributes.POLICY]: 'fallback', 'error.type': errorType(event.error) })
      break
  }
}

function errorType(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? code : error.name
  }
  return typeof error
}
