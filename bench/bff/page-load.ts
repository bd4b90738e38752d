import { type AnswerClassifier, type LoadResult, runLoad } from '../lib/load.js'
import { type WithCpu, withCpuPerAnswer } from './cpu-per-answer.js'
import { type BenchRow, describeCounts } from './scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, pidsOf } from './storefront-system.js'

/** Options of {@link loadPages}. */
export interface PageLoadOptions {
  readonly connections: number
  readonly durationS: number
  /** Seconds of unmeasured load first (0: none). */
  readonly warmupS: number
  readonly classify: AnswerClassifier
}

/**
 * Loads `GET /products/all` of a system as its visitor, after an optional warm-up, and reads the
 * CPU the BFF and the whole system spent per answer.
 */
export async function loadPages(context: ScenarioContext, system: StorefrontSystem, options: PageLoadOptions): Promise<WithCpu<LoadResult>> {
  context.signal.throwIfAborted()
  const load = {
    url: `${system.bffOrigin}/products/all`,
    connections: options.connections,
    headers: system.visitor.headers,
    latencies: 'every' as const,
    signal: context.signal,
  }
  context.log(`${system.bff.name} GET /products/all: ${options.connections} connection(s), ${options.warmupS} s warm-up + ${options.durationS} s`)
  if (options.warmupS > 0) {
    // Its own classifier: warm-up answers are not counted.
    await runLoad({ ...load, durationS: options.warmupS, classify: () => '' })
  }
  context.signal.throwIfAborted()
  return withCpuPerAnswer([[system.bff.pid], pidsOf(system)], () => runLoad({ ...load, durationS: options.durationS, classify: options.classify }), (result) => result.answers)
}

/** A table row of a page load. */
export function pageRow(scenario: string, system: StorefrontSystem, connections: number, measured: WithCpu<LoadResult>, note: string): BenchRow {
  const { result } = measured
  const answers = new Map(result.byLabel)
  if (result.errors > 0) {
    answers.set('connection errors', result.errors)
  }
  return {
    scenario,
    request: `BFF GET /products/all (${system.visitor.signedIn ? 'user 1' : 'anonymous'})`,
    connections,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    answers: describeCounts(answers),
    cpuUsPerAnswer: [measured.cpuUsPerAnswer[0], measured.cpuUsPerAnswer[1]],
    note,
  }
}
