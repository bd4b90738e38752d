/** How long each part of a chaos run lasts, and how hard the load is outside the overload. */
export interface ChaosPlan {
  /** Pages per second sent (open loop) in every scenario but the overload: well under capacity. */
  readonly ratePerSecond: number
  /** The longest wait for whole pages before each scenario, in s; 0 starts each at once. */
  readonly settleS: number
  /** Seconds of load before a fault, so the BFF holds a catalogue and stock to stand in. */
  readonly beforeS: number
  /** Seconds a killed process stays down before it is started again. */
  readonly downS: number
  /** Seconds a switched-on fault (a slow inventory, an erring products) lasts. */
  readonly faultS: number
  /** Seconds of load after the restart or the fault's end: the window full recovery must come in. */
  readonly afterS: number
  /** Unmeasured seconds of closed-loop load before capacity is measured. */
  readonly warmupS: number
  /** Seconds of closed-loop load that measure capacity, and of open-loop load at a tenth of it. */
  readonly capacityS: number
  /** Seconds of open-loop load at three times capacity. */
  readonly overloadS: number
}

/** The full run: about four minutes on two cores. */
export const FULL_PLAN: ChaosPlan = {
  ratePerSecond: 50,
  settleS: 30,
  beforeS: 3,
  downS: 2,
  faultS: 10,
  afterS: 15,
  warmupS: 2,
  capacityS: 8,
  overloadS: 10,
}

/**
 * A smoke run that checks every scenario works, judging nothing: under a minute. Scenarios follow
 * each other without settling, so one may start with a breaker the last left open.
 */
export const QUICK_PLAN: ChaosPlan = {
  ratePerSecond: 20,
  settleS: 0,
  beforeS: 1,
  downS: 0.5,
  faultS: 1.5,
  afterS: 1.5,
  warmupS: 0.5,
  capacityS: 1,
  overloadS: 1.5,
}
