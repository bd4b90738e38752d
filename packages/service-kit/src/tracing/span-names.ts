/**
 * The attributes Storefront adds to OpenTelemetry's semantic conventions, in one place: the
 * dashboard's waterfall and any tracing backend's queries read them by these names.
 */
export const StorefrontAttributes = {
  /** The request's `x-request-id`, on its server span. */
  REQUEST_ID: 'storefront.request_id',
  /** The downstream a client span calls (`products`, `inventory`, …). */
  DOWNSTREAM: 'storefront.downstream',
  /** Which attempt of its call a client span is, from 1: a retry or a hedge is an attempt of its own. */
  ATTEMPT: 'storefront.attempt',
  /** Which copy of a hedged call a client span belongs to, from 1: a hedge is a call of its own. */
  HEDGE_COPY: 'storefront.hedge_copy',
  /** Whether a client span's answer is the one its call returned. */
  WON: 'storefront.won',
  /** Time the downstream spent in its database for this attempt, in ms, as its `server-timing` says. */
  DB_MS: 'storefront.db_ms',
  /** The parts a page answered without (the BFF's `x-degraded`), on its server span. */
  DEGRADED: 'storefront.degraded',
  /** The policy an event comes from (`breaker`, `retry-budget`, `throttle`, `limiter`, `hedge`, …). */
  POLICY: 'storefront.policy',
} as const
