import { setTimeout as sleep } from 'node:timers/promises'

import { runLoad } from './load.js'
import { type Answer, type OpenLoopOptions, latencyAt, startOpenLoop } from './open-loop.js'

/** Where and how {@link runOverload} loads. */
export interface OverloadRunOptions {
  /** The page's full URL on the loopback interface. */
  readonly url: string
  /** Each request's headers in turn: many visitors' bearer tokens. */
  readonly visitors: ReadonlyArray<Readonly<Record<string, string>>>
  /** Labels each open-loop answer; a shed answer gets {@link shedLabel}. */
  readonly classify: OpenLoopOptions['classify']
  readonly shedLabel: string
  /** Connections of the closed-loop run that measures capacity. */
  readonly connections: number
  /** Unmeasured seconds of closed-loop load before capacity is measured. */
  readonly warmupS: number
  /** Seconds of closed-loop load that measure capacity, and of open-loop load at a tenth of it. */
  readonly capacityS: number
  /** Seconds of open-loop load at {@link overloadFactor} times capacity. */
  readonly overloadS: number
  /** The overload's arrival rate, as a multiple of capacity. */
  readonly overloadFactor: number
  /** A page slower than this counts for nothing in goodput, in ms. */
  readonly goodWithinMs: number
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
  /** Whole pages (200, nothing degraded) within `goodWithinMs`, a second, under the overload. */
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
 * Measures capacity (closed loop: the most pages per second the system answers 200), the unloaded
 * p99 (open loop at a tenth of that), then sends pages at `overloadFactor` times capacity, open
 * loop, whatever the answers do, and sums up what came back.
 */
export async function runOverload(options: OverloadRunOptions): Promise<OverloadFigures> {
  const { url, visitors, classify, signal } = options
  const headers = {}
  const closedLoop = { url, connections: options.connections, headers, visitors, signal }
  await runLoad({ ...closedLoop, durationS: options.warmupS })
  const measured = await runLoad({ ...closedLoop, durationS: options.capacityS })
  const capacity = (measured.byLabel.get('200') ?? 0) / options.capacityS

  const unloaded = await openLoop({ url, headers, visitors, classify, ratePerSecond: capacity / 10 }, options.capacityS, signal)
  const ratePerSecond = capacity * options.overloadFactor
  const answers = await openLoop({ url, headers, visitors, classify, ratePerSecond }, options.overloadS, signal)
  const admitted = answers.filter((answer) => answer.status === 200)
  const shed = answers.filter((answer) => answer.kind.label === options.shedLabel)
  return {
    capacity,
    unloadedP99Ms: latencyAt(unloaded.filter((answer) => answer.status === 200), 0.99),
    ratePerSecond,
    // A page without its cart or favorites is a 200 too, but not the work asked for.
    goodput: admitted.filter((answer) => answer.kind.degraded.length === 0 && answer.latencyMs <= options.goodWithinMs).length / options.overloadS,
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
