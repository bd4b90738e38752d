import { atLeast, atMost } from '../../lib/judgement.js'
import { OVERLOAD_TARGETS, OVERLOAD_VISITORS, runOverload } from '../../lib/overload-run.js'
import type { ChaosContext } from '../chaos-context.js'
import { type ChaosOutcome, milliseconds } from '../chaos-outcome.js'
import { percent } from '../objectives.js'
import { SHED_CODE, SHED_LABEL, pageKind } from '../page-kind.js'

/** Connections of the closed-loop run that measures capacity: the BFF benchmark's. */
const CAPACITY_CONNECTIONS = 32
const { factor: OVERLOAD, goodWithinMs: GOOD_WITHIN_MS, goodputShare: GOODPUT_SHARE, admittedP99Factor: ADMITTED_P99_FACTOR, shedP99Ms: SHED_P99_MS } = OVERLOAD_TARGETS

/**
 * Measures capacity (closed loop: the most pages per second the system answers 200), the unloaded
 * p99 (open loop at a tenth of that), then sends pages at three times capacity, open loop. The
 * promise of load shedding: goodput (whole pages within the page's budgets) stays at least
 * {@link GOODPUT_SHARE} of capacity, admitted pages keep a p99 within {@link ADMITTED_P99_FACTOR}
 * times the unloaded one, and the rest are shed at once: 503 with `retry-after` and the code
 * `SVC_ERR_OVERLOADED`, p99 under {@link SHED_P99_MS} ms.
 */
export async function overload(context: ChaosContext): Promise<ChaosOutcome> {
  const { plan, system, log, signal } = context
  const scenario = `overload (${OVERLOAD}× capacity, open loop)`
  log(`${scenario}: ${OVERLOAD_VISITORS} visitors; measuring capacity, then ${OVERLOAD} times it for ${plan.overloadS} s`)
  const figures = await runOverload({
    bffOrigin: system.bffOrigin,
    classify: pageKind,
    shedLabel: SHED_LABEL,
    connections: CAPACITY_CONNECTIONS,
    warmupS: plan.warmupS,
    capacityS: plan.capacityS,
    overloadS: plan.overloadS,
    signal,
  })
  const { capacity, unloadedP99Ms, goodput, admittedP99Ms, shedP99Ms } = figures
  const admittedLimit = unloadedP99Ms * ADMITTED_P99_FACTOR
  return {
    scenario,
    answers: figures.answers,
    objectives: [
      {
        measure: `goodput (whole pages within ${GOOD_WITHIN_MS} ms per s; capacity ${capacity.toFixed(0)}/s, sent ${figures.ratePerSecond.toFixed(0)}/s)`,
        figure: `${goodput.toFixed(0)}/s (${percent(goodput / capacity)})`,
        limit: `≥ ${percent(GOODPUT_SHARE)} of capacity`,
        judgement: atLeast(goodput / capacity, GOODPUT_SHARE, (gap) => `${(gap * 100).toFixed(1)} points`),
      },
      {
        measure: `p99 of admitted pages (unloaded p99 ${milliseconds(unloadedP99Ms)})`,
        figure: milliseconds(admittedP99Ms),
        limit: `≤ ${ADMITTED_P99_FACTOR} × unloaded (${milliseconds(admittedLimit)})`,
        judgement: atMost(Number.isNaN(admittedP99Ms) ? Infinity : admittedP99Ms, admittedLimit, milliseconds),
      },
      {
        measure: `p99 of shed answers (503, retry-after, ${SHED_CODE}; ${figures.shed} shed)`,
        figure: milliseconds(shedP99Ms),
        limit: `< ${milliseconds(SHED_P99_MS)}`,
        judgement: figures.shed === 0 ? { met: false, verdict: 'MISSED (nothing shed)' } : atMost(shedP99Ms, SHED_P99_MS, milliseconds, true),
      },
    ],
    notes: [`${scenario}: pages of ${OVERLOAD_VISITORS} signed-in visitors in turn; capacity measured closed loop at ${CAPACITY_CONNECTIONS} connections for ${plan.capacityS} s after ${plan.warmupS} s of warm-up; the unloaded p99 open loop at a tenth of it.`],
  }
}
