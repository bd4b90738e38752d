import { setTimeout as sleep } from 'node:timers/promises'

import { runLoad } from './load.js'
import { type Answer, type OpenLoopOptions, latencyAt, startOpenLoop } from './open-loop.js'
import { signInVisitors } from './sign-in.js'

/** What load shedding promises under an overload, as `npm run bench` and `npm run chaos` judge it. */
export const OVERLOAD_TARGETS = {
  /** The overload's arrival rate, as a multiple of capacity. */
  factor: 3,
  /**
   * A page slower than this, in ms, counts for nothing in goodput: the BFF's own budgets for a page
   * (products 1000 ms, then inventory 1000 ms). A page queued for longer is no good to its visitor.
   */
  goodWithinMs: 2000,
  /** Goodput (whole pages within {@link goodWithinMs}) a second, at least, as a share of capacity. */
  goodputShare: 0.85,
  /** The p99 of admitted pages, at most, as a multiple of the unloaded p99. */
  admittedP99Factor: 4,
  /** A shed answer's p99, under this, in ms: refused before any work. */
  shedP99Ms: 5,
} as const

/**
 * Signed-in visitors whose pages are requested in turn: each page reads its own cart and
 * favorites, as under a real crowd (one visitor's identical pages would share one read in flight,
 * and a queue of them would cost little more than their serialization).
 */
export const OVERLOAD_VISITORS = 200

/** Where and how {@link runOverload} loads. */
export interface OverloadRunOptions {
  /** The BFF's origin on the loopback interface: its `GET /products/all` is loaded. */
  readonly bffOrigin: string
  /** Labels each open-loop answer; a shed answer gets {@link shedLabel}. */
  readonly classify: OpenLoopOptions['classify']
  readonly shedLabel: string
  /** Connections of the closed-loop run that measures capacity. */
  readonly connections: number
  /** Unmeasured seconds of closed-loop load before capacity is measured. */
  readonly warmupS: number
  /** Seconds of closed-loop load that measure capacity, and of open-loop load at a tenth of it. */
  readonly capacityS: number
  /** Seconds of open-loop load at the targets' factor times capacity. */
  readonly overloadS: number
  readonly signal: AbortSignal
}

/** What an overload did to one system. */
export interface OverloadFigures {
  /** 200 pages a second, closed loop: the most the system answers. */
  readonly capacity: number
  /** The p99 of 200 pages open loop at a tenth of capacity, in ms. */
  readonly unloadedP99Ms: number
  /** The overload's arrival rate, pages a second. */
  readonly ratePerSecond: number
  /** Whole pages (200, nothing degraded) within the targets' `goodWithinMs`, a second, under the overload. */
  readonly goodput: number
  /** The p99 of the 200 pages under the overload, in ms; NaN when there were none. */
  readonly admittedP99Ms: number
  /** The p99 of the shed answers, in ms; NaN when none was shed. */
  readonly shedP99Ms: number
  readonly shed: number
  /** Every answer of the overload. */
  readonly answers: readonly Answer[]
}

/**
 * Signs in {@link OVERLOAD_VISITORS} visitors, measures capacity (closed loop: the most pages per
 * second the system answers 200), the unloaded p99 (open loop at a tenth of that), then sends pages
 * at {@link OVERLOAD_TARGETS}' factor times capacity, open loop, whatever the answers do, and sums up
 * what came back.
 */
export async function runOverload(options: OverloadRunOptions): Promise<OverloadFigures> {
  const { classify, signal } = options
  const url = `${options.bffOrigin}/products/all`
  const visitors = await signInVisitors(options.bffOrigin, OVERLOAD_VISITORS)
  const headers = {}
  const closedLoop = { url, connections: options.connections, headers, visitors, signal }
  await runLoad({ ...closedLoop, durationS: options.warmupS })
  const measured = await runLoad({ ...closedLoop, durationS: options.capacityS })
  const capacity = (measured.byLabel.get('200') ?? 0) / options.capacityS

  const unloaded = await openLoop({ url, headers, visitors, classify, ratePerSecond: capacity / 10 }, options.capacityS, signal)
  const ratePerSecond = capacity * OVERLOAD_TARGETS.factor
  const answers = await openLoop({ url, headers, visitors, classify, ratePerSecond }, options.overloadS, signal)
  const admitted = answers.filter((answer) => answer.status === 200)
  const shed = answers.filter((answer) => answer.kind.label === options.shedLabel)
  return {
    capacity,
    unloadedP99Ms: latencyAt(unloaded.filter((answer) => answer.status === 200), 0.99),
    ratePerSecond,
    // A page without its cart or favorites is a 200 too, but not the work asked for.
    goodput: admitted.filter((answer) => answer.kind.degraded.length === 0 && answer.latencyMs <= OVERLOAD_TARGETS.goodWithinMs).length / options.overloadS,
    admittedP99Ms: latencyAt(admitted, 0.99),
    shedP99Ms: latencyAt(shed, 0.99),
    shed: shed.length,
    answers,
  }
}

/** Runs an open loop for `seconds` and returns its answers; stops early (and rejects) on `signal`. */
async function openLoop(options: OpenLoopOptions, seconds: number, signal: AbortSignal): Promise<Answer[]> {
  const load = startOpenLoop(options)
  try {
    await sleep(seconds * 1000, undefined, { signal })
  } finally {
    await load.stop()
  }
  return load.stop()
}
