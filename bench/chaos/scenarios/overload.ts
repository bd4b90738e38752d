import { atLeast, atMost } from '../../lib/judgement.js'
import { runOverload } from '../../lib/overload-run.js'
import { signInVisitors } from '../../lib/sign-in.js'
import type { ChaosContext } from '../chaos-context.js'
import { type ChaosOutcome, milliseconds } from '../chaos-outcome.js'
import { percent } from '../objectives.js'
import { SHED_CODE, SHED_LABEL, pageKind } from '../page-kind.js'

/**
 * Signed-in visitors whose pages are requested in turn: each page reads its own cart and
 * favorites, as under a real crowd (one visitor's identical pages would share one read in flight).
 */
const VISITORS = 200
/** The arrival rate of the overload, as a multiple of the measured capacity. */
const OVERLOAD = 3
/** Connections of the closed-loop run that measures capacity: the BFF benchmark's. */
const CAPACITY_CONNECTIONS = 32
/**
 * The latency past which a page counts for nothing in goodput, in ms: the BFF's own budgets for a
 * page (products 1000 ms, then inventory 1000 ms). A page queued for longer is no good to its visitor.
 */
const GOOD_WITHIN_MS = 2000
/** Good pages per second under overload (200, within {@link GOOD_WITHIN_MS}), at least, as a share of capacity. */
const GOODPUT_SHARE = 0.85
/** The p99 of admitted pages under overload, at most, as a multiple of the unloaded p99. */
const ADMITTED_P99_FACTOR = 4
/** A shed answer's p99, under this, in ms: refused before any work. */
const SHED_P99_MS = 5

/**
 * Measures capacity (closed loop: the most pages per second the system answers 200), the unloaded
 * p99 (open loop at a tenth of that), then sends pages at three times capacity, open loop. The
 * promise of load shedding: goodput (200 pages within the page's budgets) stays at least {@link GOODPUT_SHARE} of capacity, admitted
 * pages keep a p99 within {@link ADMITTED_P99_FACTOR} times the unloaded one, and the rest are shed
 * at once: 503 with `retry-after` and the code `SVC_ERR_OVERLOADED`, p99 under {@link SHED_P99_MS} ms.
 */
export async function overload(context: ChaosContext): Promise<ChaosOutcome> {
  const { plan, system, log, signal } = context
  const scenario = `overload (${OVERLOAD}× capacity, open loop)`
  log(`${scenario}: ${VISITORS} visitors signed in; measuring capacity, then ${OVERLOAD} times it for ${plan.overloadS} s`)
  const visitors = await signInVisitors(system.bffOrigin, VISITORS)
  const figures = await runOverload({
    url: `${system.bffOrigin}/products/all`,
    visitors,
    classify: pageKind,
    shedLabel: SHED_LABEL,
    connections: CAPACITY_CONNECTIONS,
    warmupS: plan.warmupS,
    capacityS: plan.capacityS,
    overloadS: plan.overloadS,
    overloadFactor: OVERLOAD,
    goodWithinMs: GOOD_WITHIN_MS,
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
    notes: [`${scenario}: pages of ${VISITORS} signed-in visitors in turn; capacity measured closed loop at ${CAPACITY_CONNECTIONS} connections for ${plan.capacityS} s after ${plan.warmupS} s of warm-up; the unloaded p99 open loop at a tenth of it.`],
  }
}
