import { type LoadOptions, runLoad } from '../lib/load.js'
import type { RunningProcess } from '../lib/service-process.js'
import { withCpuPerAnswer } from './cpu-per-answer.js'
import type { AnswerCheck } from './page-answer.js'
import type { Run } from './scenario-outcome.js'
import { originOf } from './storefront-fleet.js'
import { type ScenarioContext, type StorefrontSystem, pidsOf } from './storefront-system.js'

/** What {@link measureRun} loads, and how its answers are checked. */
interface RunOptions {
  readonly scenario: string
  readonly request: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly check: AnswerCheck
  /** Each request's path, when they differ (see {@link LoadOptions.nextPath}). */
  readonly nextPath?: () => string
  /** The process loaded, and every process serving it: whose CPU is read. */
  readonly pids: readonly [readonly number[], readonly number[]]
  readonly note: string
}

/**
 * Loads one URL for the plan's warm-up (unmeasured), then for the plan's seconds at that many
 * connections (one connection gets its own, shorter, duration), reading the CPU each group of
 * processes spent per answer and counting the answers the check does not call right.
 */
async function measureRun(context: ScenarioContext, options: RunOptions): Promise<Run> {
  const { plan, signal } = context
  const durationS = options.connections === 1 ? plan.singleS : plan.loadedS
  signal.throwIfAborted()
  context.log(`${options.scenario}: ${options.request}, ${options.connections} connection(s), ${plan.warmupS} s warm-up + ${durationS} s`)
  const load: Omit<LoadOptions, 'durationS'> = {
    url: options.url,
    connections: options.connections,
    headers: options.headers,
    latencies: 'every',
    signal,
    ...(options.check.classify === undefined ? {} : { classify: options.check.classify }),
    ...(options.nextPath === undefined ? {} : { nextPath: options.nextPath }),
  }
  if (plan.warmupS > 0) {
    await runLoad({ ...load, durationS: plan.warmupS })
  }
  signal.throwIfAborted()
  const { result, cpuUsPerAnswer } = await withCpuPerAnswer(options.pids, () => runLoad({ ...load, durationS }), (loaded) => loaded.answers)
  return {
    scenario: options.scenario,
    request: options.request,
    connections: options.connections,
    result,
    cpuUsPerAnswer: [cpuUsPerAnswer[0], cpuUsPerAnswer[1]],
    wrong: result.answers - (result.byLabel.get(options.check.right) ?? 0) + result.errors,
    note: options.note,
  }
}

/** Options of {@link loadPages}. */
export interface PageLoadOptions {
  readonly connections: number
  readonly check: AnswerCheck
  /** The path with its query; `/products/all` when absent. */
  readonly path?: string
  /** Each request's path, when they differ (a walk through the catalogue). */
  readonly nextPath?: () => string
  readonly note: string
}

/** Loads a system's BFF as its visitor, reading the CPU of the BFF and of the whole system per answer. */
export function loadPages(context: ScenarioContext, scenario: string, system: StorefrontSystem, options: PageLoadOptions): Promise<Run> {
  const path = options.path ?? '/products/all'
  return measureRun(context, {
    scenario,
    request: `${system.bff.name} GET ${options.nextPath === undefined ? path : `${path}&after=… (following next_after)`} (${system.visitor.signedIn ? 'user 1' : 'anonymous'})`,
    url: `${system.bffOrigin}${path}`,
    headers: system.visitor.headers,
    connections: options.connections,
    check: options.check,
    ...(options.nextPath === undefined ? {} : { nextPath: options.nextPath }),
    pids: [[system.bff.pid], pidsOf(context.fleet, system)],
    note: options.note,
  })
}

/** Loads the hello-world baseline: the figure every target is set against, measured beside it. */
export function loadHello(context: ScenarioContext, scenario: string, connections: number): Promise<Run> {
  const { hello } = context
  return measureRun(context, {
    scenario,
    request: 'hello-world GET /',
    url: `${originOf(hello)}/`,
    headers: {},
    connections,
    check: { right: '200' },
    pids: [[hello.pid], [hello.pid]],
    note: 'bare Fastify, {"hello":"world"}',
  })
}

/** Loads one service alone with the service token, as the BFF calls it. */
export function loadAlone(context: ScenarioContext, scenario: string, service: RunningProcess, path: string, connections: number): Promise<Run> {
  return measureRun(context, {
    scenario,
    request: `${service.name} GET ${path} (alone)`,
    url: `${originOf(service)}${path}`,
    headers: { authorization: `Bearer ${context.fleet.serviceToken}` },
    connections,
    check: { right: '200' },
    pids: [[service.pid], [service.pid]],
    note: 'service token, no BFF',
  })
}
