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
  /** The client-side throttle's scenario. */
  readonly throttle: ThrottlePlan
}

/** How the client-side throttle's scenario runs: its clocks are in throttle windows. */
export interface ThrottlePlan {
  /** The throttle's window, in ms: the kit's default, 10 000, in the full run. */
  readonly windowMs: number
  /** No refusal below this many requests in the window: the kit's default, 300, in the full run (30 a second). */
  readonly minRequests: number
  /** Calls offered a second, on a fixed schedule whatever the answers: well above `minRequests` a window. */
  readonly callsPerSecond: number
  /**
   * Windows at each failing share before its calls are counted, so the window holds that share
   * only; more where the throttle takes longer to settle (see `client-throttle.ts`).
   */
  readonly settleWindows: number
  /** Windows whose calls are counted at each failing share. */
  readonly measuredWindows: number
  /** The longest wait for the traffic to come back once the downstream is healthy, in windows. */
  readonly maxRecoveryWindows: number
}

/** The full run: about three and a half minutes on two cores. */
export const FULL_PLAN: BenchPlan = {
  connections: 32,
  warmupS: 2,
  loadedS: 10,
  singleS: 5,
  // The kit's defaults, as the BFF runs them; about four minutes (the recovery takes over four windows).
  throttle: { windowMs: 10_000, minRequests: 300, callsPerSecond: 100, settleWindows: 1, measuredWindows: 2, maxRecoveryWindows: 8 },
}

/** A smoke run: every scenario, every check of the answers, short runs; under a minute. */
export const QUICK_PLAN: BenchPlan = {
  connections: 32,
  warmupS: 1,
  loadedS: 2,
  singleS: 1,
  // A window of half a second, its floor scaled with it (30 a second), twice the calls a second so
  // that a window still holds a hundred: about seven seconds.
  throttle: { windowMs: 500, minRequests: 15, callsPerSecond: 200, settleWindows: 1, measuredWindows: 1, maxRecoveryWindows: 8 },
}
