import type { Pool } from 'undici'

/**
 * Where a replica stands: `healthy` takes calls; `ejected` takes none until its ejection time is
 * over; `probation` has served its ejection time and waits for (or is running) the one call that
 * decides whether it comes back.
 */
export type ReplicaState = 'healthy' | 'ejected' | 'probation'

/** One origin of a downstream: its keep-alive pool and what outlier detection knows of it. */
export class Replica {
  state: ReplicaState = 'healthy'
  /** Attempts sent to it and not settled yet. */
  pending = 0
  /** Calls in a row that failed; any answer that is not a failure sets it back to 0. */
  failures = 0
  /** Ejections in a row: the multiplier of the ejection time. Falls back while it stays healthy. */
  ejections = 0
  /** `performance.now()` when the ejection ends; meaningful while `ejected`. */
  ejectedUntil = 0
  /** `performance.now()` when it last came back from an ejection. */
  returnedAt = 0
  /** True while the probe call of a replica on probation runs: it gets no other call meanwhile. */
  probing = false

  constructor(
    readonly origin: string,
    readonly pool: Pool,
  ) {}

  /** In rotation and its last call did not fail: proof that the downstream can answer. */
  get good(): boolean {
    return this.state === 'healthy' && this.failures === 0
  }
}
