import { type ChaosContext } from '../chaos-context.js'
import type { ChaosOutcome } from '../chaos-outcome.js'
import { degradedOnlyIn, FAULT_P99_MS, noFailures, p99Within, recoveredWithin } from '../objectives.js'
import { runWithFault } from './switched-fault.js'

/** The contract's unstable inventory (`npm run start:chaos`): a random delay before every answer. */
const DELAY_MS = '0-5000'

/**
 * Makes inventory answer after a random 0-5 s (fault injection, switched at run time). The
 * promise: pages keep their 1000 ms inventory budget (p99 ≤ `FAULT_P99_MS`), never fail, go
 * without stock only, and are whole again within `RECOVERY_S` of the fault's end.
 */
export async function slowInventory(context: ChaosContext): Promise<ChaosOutcome> {
  const scenario = `inventory slow (${DELAY_MS} ms)`
  const { answers, during, offAt } = await runWithFault(context, 'inventory', { delay_ms: DELAY_MS, error_rate: 0 })
  return {
    scenario,
    answers,
    objectives: [
      p99Within(during, FAULT_P99_MS, 'pages while inventory was slow'),
      noFailures(answers, 'over the whole scenario'),
      degradedOnlyIn(during, 'inventory'),
      recoveredWithin(answers, offAt, 'the fault was switched off'),
    ],
    notes: [],
  }
}
