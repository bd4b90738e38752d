import { type ChaosContext } from '../chaos-context.js'
import type { ChaosOutcome } from '../chaos-outcome.js'
import { FAULT_P99_MS, noFailures, okShareAtLeast, p99Within, recoveredWithin } from '../objectives.js'
import { runWithFault } from './switched-fault.js'

/** Products answers 500 to this share of requests. */
const ERROR_RATE = 0.5

/**
 * The share of pages that must still be 200 while products errs: the BFF's catalogue cache, its
 * retries and its stale catalogue stand in for the failures.
 */
const OK_SHARE = 0.99

/**
 * Makes products answer 500 to half its requests (fault injection, switched at run time). The
 * promise: at least {@link OK_SHARE} of pages are 200 (whole, or with a stale catalogue), p99 within
 * `FAULT_P99_MS`, no 5xx over the run, and every page whole again within `RECOVERY_S` of the fault's end.
 */
export async function flakyProducts(context: ChaosContext): Promise<ChaosOutcome> {
  const scenario = `products erring (${ERROR_RATE * 100}% 500s)`
  const { answers, during, offAt } = await runWithFault(context, 'products', { delay_ms: null, error_rate: ERROR_RATE })
  return {
    scenario,
    answers,
    objectives: [
      okShareAtLeast(during, OK_SHARE),
      p99Within(during, FAULT_P99_MS, 'pages while products erred'),
      noFailures(answers, 'over the whole scenario'),
      recoveredWithin(answers, offAt, 'the fault was switched off'),
    ],
    notes: [],
  }
}
