import { Type } from 'typebox'

const Milliseconds = Type.Union([Type.Number(), Type.Null()])

const CallFigures = {
  rate_per_s: Type.Number({ description: 'Calls a second.' }),
  error_rate: Type.Number({ description: 'Failed calls (error, timeout, open circuit) over all calls; 0 without calls.' }),
  p50_ms: Milliseconds,
  p99_ms: Milliseconds,
}

const Replica = Type.Object({
  origin: Type.String(),
  state: Type.Union([Type.Literal('healthy'), Type.Literal('ejected'), Type.Literal('probation')]),
  pending: Type.Integer(),
  consecutive_failures: Type.Integer(),
  ejections: Type.Integer(),
  ejected_for_ms: Type.Integer(),
}, { additionalProperties: false })

const Downstream = Type.Object({
  state: Type.Union([Type.Literal('closed'), Type.Literal('half-open'), Type.Literal('open')]),
  replicas: Type.Array(Replica),
  limit: Type.Optional(Type.Integer({ description: 'The adaptive concurrency limit; absent when the client has none.' })),
  inflight: Type.Optional(Type.Integer({ description: 'Attempts in flight; absent when the client has no limit.' })),
  throttle_probability: Type.Optional(Type.Number({ description: 'The chance the client-side throttle refuses the next call; absent without a throttle.' })),
  ...CallFigures,
  series: Type.Array(Type.Object({ t: Type.Number({ description: 'The second it covers, in ms since the epoch.' }), ...CallFigures }, { additionalProperties: false })),
}, { additionalProperties: false })

const CacheCounts = {
  hits: Type.Integer(),
  misses: Type.Integer(),
  coalesced: Type.Integer(),
  stale_served: Type.Integer(),
  entries: Type.Integer(),
}

/**
 * The body of `GET /ops/stats`, for the document and the dashboard's types only: the route sends
 * its figures without a response schema, and a test checks its answers against this one.
 */
export const OpsStats = Type.Object({
  window_s: Type.Integer({ description: 'Seconds the headline figures cover.' }),
  fault_control: Type.Boolean(),
  downstreams: Type.Record(Type.String(), Downstream),
  cache: Type.Object({
    catalogue: Type.Object({ ...CacheCounts, age_ms: Milliseconds }, { additionalProperties: false }),
    stock: Type.Object(CacheCounts, { additionalProperties: false }),
  }, { additionalProperties: false }),
  pages: Type.Object({ limit: Type.Integer(), inflight: Type.Integer(), shed: Type.Integer() }, { additionalProperties: false }),
}, { additionalProperties: false })

/**
 * The body of `GET /ops/faults`: each downstream's fault settings, or why they could not be read.
 * For the document and the dashboard's types only, as {@link OpsStats}.
 */
export const OpsFaults = Type.Object({
  faults: Type.Record(Type.String(), Type.Union([
    Type.Object({ delay_ms: Type.Union([Type.String(), Type.Null()]), error_rate: Type.Number() }, { additionalProperties: false }),
    Type.Object({ unavailable: Type.String() }, { additionalProperties: false }),
  ])),
}, { additionalProperties: false })
