import { startOtlpReceiver } from '@storefront/service-kit/testing'

import { atLeast } from '../../lib/judgement.js'
import { loadHello, loadPages } from '../load-run.js'
import { expectPage } from '../page-answer.js'
import type { Run, ScenarioOutcome, Verdict } from '../scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, startDownstreams, startSystem } from '../storefront-system.js'
import { CACHING_OFF } from './uncached.js'

const SCENARIO = 'tracing, caching off'
/** The pages a second with tracing at its default (nothing exported), over those without the SDK, at least. */
const TRACING_OFF_SHARE = 0.97

/**
 * Runs of the untraced system and of the defaults, alternated, the first of each pair swapped from
 * one round to the next: the machine's drift and whatever favours a pair's second run fall on both.
 */
const ROUNDS = 4

/** Each system's variables, for all five of its processes. */
const UNTRACED = { OTEL_SDK_DISABLED: 'true' } as const

/**
 * What tracing costs: three whole systems (four services and a BFF each, caches off so that every
 * page reaches every process) loaded in turn at 32 connections, the first two once unmeasured to
 * settle and then {@link ROUNDS} times each, the exporting one once:
 * - without the OpenTelemetry SDK (`OTEL_SDK_DISABLED=true`): the code as if tracing did not exist;
 * - at the defaults: trace context taken and passed on, trace ids in the logs, the BFF recording
 *   its pages' spans for the dashboard's slow pages, nothing exported;
 * - exporting every span over OTLP (http/protobuf) to a receiver in the benchmark's process that
 *   reads and drops them.
 * The defaults' throughput is judged against the untraced system's, the mean of {@link ROUNDS}
 * runs each, alternated so that the machine's drift falls on both.
 */
export async function measureTracing(context: ScenarioContext): Promise<ScenarioOutcome> {
  const { fleet, plan } = context
  const receiver = await startOtlpReceiver()
  const exporting = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }
  const systems: StorefrontSystem[] = []
  try {
    const start = async (label: string, env: Readonly<Record<string, string>>): Promise<StorefrontSystem> => {
      const system = await startSystem(fleet, await startDownstreams(fleet, env), label, { ...CACHING_OFF, ...env })
      systems.push(system)
      return system
    }
    const untraced = await start('bff-untraced', UNTRACED)
    const defaults = await start('bff-tracing-off', {})
    const exported = await start('bff-exporting', exporting)
    const check = expectPage(10)
    const { connections } = plan
    const load = (system: StorefrontSystem, note: string): Promise<Run> => loadPages(context, SCENARIO, system, { connections, check, note })
    // Each system loaded once, unmeasured, before the rounds: a freshly started system speeds up
    // for some tens of seconds (JIT, pools, PostgreSQL's caches), which would favour later rounds.
    for (const system of [untraced, defaults]) {
      await load(system, 'settling, not counted')
    }
    const hello = await loadHello(context, SCENARIO, connections)
    const runs: Run[] = [hello]
    const untracedRuns: Run[] = []
    const defaultRuns: Run[] = []
    const loadUntraced = async (): Promise<void> => { untracedRuns.push(await load(untraced, 'OTEL_SDK_DISABLED=true in all five processes')) }
    const loadDefaults = async (): Promise<void> => { defaultRuns.push(await load(defaults, 'tracing at its defaults: nothing exported')) }
    for (let round = 0; round < ROUNDS; round++) {
      const pair = round % 2 === 0 ? [loadUntraced, loadDefaults] : [loadDefaults, loadUntraced]
      for (const loadOne of pair) {
        await loadOne()
      }
      runs.push(untracedRuns.at(-1)!, defaultRuns.at(-1)!)
    }
    const exportedRun = await load(exported, 'every span exported over OTLP (http/protobuf)')
    runs.push(exportedRun)
    const untracedRate = meanRate(untracedRuns)
    const defaultRate = meanRate(defaultRuns)
    const share = defaultRate / untracedRate
    const verdicts: Verdict[] = [
      {
        target: `${SCENARIO}, ${connections} connections: req/s with tracing off (the default) over without the SDK`,
        figure: `${defaultRate.toFixed(0)} vs ${untracedRate.toFixed(0)} req/s (mean of ${ROUNDS} runs each)`,
        hello: `${hello.result.requestsPerSecond.toFixed(0)} req/s`,
        ratio: `${(share * 100).toFixed(1)}%`,
        limit: `≥ ${(TRACING_OFF_SHARE * 100).toFixed(0)}%`,
        judgement: atLeast(share, TRACING_OFF_SHARE, (gap) => `${(gap * 100).toFixed(1)} points`),
      },
    ]
    const exportedShare = exportedRun.result.requestsPerSecond / untracedRate
    return {
      runs,
      verdicts,
      notes: [`Exporting every span (five processes, about 13 spans a page) served ${(exportedShare * 100).toFixed(0)}% of the untraced system's pages a second; the receiver got ${receiver.contentTypes.length} batches.`],
      problems: receiver.contentTypes.length === 0 ? [`${SCENARIO}: the exporting system sent no span`] : [],
    }
  } finally {
    for (const system of systems) {
      await Promise.all([system.bff, ...Object.values(system.downstreams)].map((child) => fleet.stop(child)))
    }
    await receiver.close()
  }
}

function meanRate(runs: readonly Run[]): number {
  return runs.reduce((sum, run) => sum + run.result.requestsPerSecond, 0) / runs.length
}
