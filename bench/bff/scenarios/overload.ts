import { countByLabel } from '../../chaos/answer-stats.js'
import { percent } from '../../chaos/objectives.js'
import { SHED_LABEL, pageKind } from '../../chaos/page-kind.js'
import { formatTable } from '../../lib/format-table.js'
import { atLeast, atMost } from '../../lib/judgement.js'
import { OVERLOAD_TARGETS, OVERLOAD_VISITORS, type OverloadFigures, runOverload } from '../../lib/overload-run.js'
import { type ScenarioOutcome, describeCounts } from '../scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, startSystem } from '../storefront-system.js'
import { ms, times } from '../verdicts.js'

const SCENARIO = 'overload'
const { factor: OVERLOAD, goodWithinMs: GOOD_WITHIN_MS, goodputShare: GOODPUT_SHARE, admittedP99Factor: ADMITTED_P99_FACTOR, shedP99Ms: SHED_P99_MS } = OVERLOAD_TARGETS
/** The BFF without its adaptive page limit, beside. */
const LIMIT_OFF = { ADAPTIVE_PAGE_LIMIT: 'false' }

/**
 * Three times capacity, open loop (a fixed arrival rate, whatever the answers do), at the BFF as
 * it runs and at a BFF with its adaptive page limit off, one after the other on the same services.
 * Judged: goodput against capacity, the admitted pages' p99 against the unloaded p99, and how fast
 * the shed answers come; the limit-off figures are printed beside.
 */
export async function measureOverload(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const { fleet, plan, log } = context
  const withLimit = await overloadOf(context, system)
  const unlimited = await startSystem(fleet, system.downstreams, 'bff-limit-off', LIMIT_OFF)
  let withoutLimit: OverloadFigures
  try {
    withoutLimit = await overloadOf(context, unlimited)
  } finally {
    await fleet.stop(unlimited.bff)
  }
  log(`${SCENARIO}: goodput ${withLimit.goodput.toFixed(0)}/s with the limit, ${withoutLimit.goodput.toFixed(0)}/s without`)
  const admittedLimit = withLimit.unloadedP99Ms * ADMITTED_P99_FACTOR
  const rows: Array<[string, (figures: OverloadFigures) => string]> = [
    ['capacity, closed loop at 32 connections (200 pages/s)', (figures) => figures.capacity.toFixed(0)],
    ['sent, open loop (pages/s)', (figures) => figures.ratePerSecond.toFixed(0)],
    [`goodput: whole pages within ${GOOD_WITHIN_MS} ms (pages/s, share of capacity)`, (figures) => `${figures.goodput.toFixed(0)} (${percent(figures.goodput / figures.capacity)})`],
    ['unloaded p99 (open loop at a tenth of capacity)', (figures) => ms(figures.unloadedP99Ms)],
    ['admitted p99 (200 pages)', (figures) => ms(figures.admittedP99Ms)],
    ['shed (503 SVC_ERR_OVERLOADED, retry-after)', (figures) => String(figures.shed)],
    ['shed p99', (figures) => ms(figures.shedP99Ms)],
    ['answers by kind', (figures) => describeCounts(countByLabel(figures.answers))],
  ]
  const table = formatTable(['overload, 3× capacity', 'adaptive limit (default)', 'ADAPTIVE_PAGE_LIMIT=false'], rows.map(([label, figure]) => [label, figure(withLimit), figure(withoutLimit)]))
  return {
    runs: [],
    verdicts: [
      {
        target: `${SCENARIO}, ${OVERLOAD}× capacity open loop: goodput`,
        figure: `${withLimit.goodput.toFixed(0)}/s of ${withLimit.capacity.toFixed(0)}/s (limit off: ${percent(withoutLimit.goodput / withoutLimit.capacity)})`,
        hello: '-',
        ratio: percent(withLimit.goodput / withLimit.capacity),
        limit: `≥ ${percent(GOODPUT_SHARE)} of capacity`,
        judgement: atLeast(withLimit.goodput / withLimit.capacity, GOODPUT_SHARE, (gap) => `${(gap * 100).toFixed(1)} points`),
      },
      {
        target: `${SCENARIO}, ${OVERLOAD}× capacity open loop: admitted p99`,
        figure: `${ms(withLimit.admittedP99Ms)} (limit off: ${ms(withoutLimit.admittedP99Ms)})`,
        hello: '-',
        ratio: times(withLimit.admittedP99Ms / withLimit.unloadedP99Ms),
        limit: `≤ ${ADMITTED_P99_FACTOR} × unloaded p99 (${ms(admittedLimit)})`,
        judgement: atMost(Number.isNaN(withLimit.admittedP99Ms) ? Infinity : withLimit.admittedP99Ms, admittedLimit, ms),
      },
      {
        target: `${SCENARIO}, ${OVERLOAD}× capacity open loop: shed p99`,
        figure: `${ms(withLimit.shedP99Ms)} (${withLimit.shed} shed)`,
        hello: '-',
        ratio: '-',
        limit: `< ${ms(SHED_P99_MS)}`,
        judgement: withLimit.shed === 0 ? { met: false, verdict: 'MISSED (nothing shed)' } : atMost(withLimit.shedP99Ms, SHED_P99_MS, ms, true),
      },
    ],
    notes: [
      `${SCENARIO}: pages of ${OVERLOAD_VISITORS} signed-in visitors in turn; each BFF's capacity measured closed loop at ${plan.connections} connections for ${plan.loadedS} s after ${plan.warmupS} s of warm-up, `
        + `its unloaded p99 open loop at a tenth of it for ${plan.loadedS} s, then ${OVERLOAD} times capacity open loop for ${plan.loadedS} s; `
        + 'the open-loop generator shares the two cores with the system.',
    ],
    problems: [],
    tables: [table],
  }
}

/** The overload run of one BFF at the plan's durations. */
function overloadOf(context: ScenarioContext, system: StorefrontSystem): Promise<OverloadFigures> {
  const { plan, signal } = context
  return runOverload({
    bffOrigin: system.bffOrigin,
    classify: pageKind,
    shedLabel: SHED_LABEL,
    connections: plan.connections,
    warmupS: plan.warmupS,
    capacityS: plan.loadedS,
    overloadS: plan.loadedS,
    signal,
  })
}
