/** How long each run loads. */
export interface BenchPlan {
  /** Keep-alive connections of the loaded runs: the targets' 32. */
  readonly connections: number
  /** Unmeasured seconds before every measured run (JIT, keep-alive pools, the BFF's caches). */
  readonly warmupS: number
  /** Measured seconds of each run at {@link connections}. */
  readonly loadedS: number
  /** Measured seconds of each run at one connection. */
  readonly singleS: number
}

/** The full run: about three and a half minutes on two cores. */
export const FULL_PLAN: BenchPlan = {
  connections: 32,
  warmupS: 2,
  loadedS: 10,
  singleS: 5,
}

/** A smoke run: every scenario, every check of the answers, short runs; under a minute. */
export const QUICK_PLAN: BenchPlan = {
  connections: 32,
  warmupS: 1,
  loadedS: 2,
  singleS: 1,
}
