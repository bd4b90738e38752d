import { atLeast, atMost } from '../lib/judgement.js'
import { latencyAt } from '../lib/open-loop.js'
import type { Answer } from '../lib/open-loop.js'
import { isFailure, recoveryMs } from './answer-stats.js'
import { type Objective, milliseconds, seconds } from './chaos-outcome.js'

/** How long after a restart, or a fault's end, every page must be whole again, in s: the BFF's breakers try again after 5 s. */
const RECOVERY_S = 10

/** The page's p99 under a slow or erring downstream: the 1000 ms budget and a margin for a busy machine, in ms. */
export const FAULT_P99_MS = 1100

/** No 5xx answer and no request left without an answer. */
export function noFailures(answers: readonly Answer[], during: string): Objective {
  const failures = answers.filter(isFailure).length
  return { measure: `5xx or no answer ${during}`, figure: `${failures} of ${answers.length}`, limit: '0', judgement: atMost(failures, 0, String) }
}

/** Pages that went without something other than `part`: a fault must stay in its own part of the page. */
export function degradedOnlyIn(answers: readonly Answer[], part: string): Objective {
  const elsewhere = answers.filter((answer) => answer.kind.degraded.some((name) => name !== part)).length
  return { measure: `pages degraded in another part than ${part}`, figure: String(elsewhere), limit: '0', judgement: atMost(elsewhere, 0, String) }
}

/** Every page whole again within {@link RECOVERY_S} of `fromMs`. */
export function recoveredWithin(answers: readonly Answer[], fromMs: number, after: string): Objective {
  const recovery = recoveryMs(answers, fromMs)
  return {
    measure: `time to full recovery after ${after}`,
    figure: seconds(recovery),
    limit: `≤ ${RECOVERY_S} s`,
    judgement: recovery === undefined ? { met: false, verdict: 'MISSED (a page still degraded at the end)' } : atMost(recovery / 1000, RECOVERY_S, (gap) => `${gap.toFixed(2)} s`),
  }
}

/** The p99 of `answers` at most `limitMs`. */
export function p99Within(answers: readonly Answer[], limitMs: number, which: string): Objective {
  const p99 = latencyAt(answers, 0.99)
  return { measure: `p99 of ${which}`, figure: milliseconds(p99), limit: `≤ ${milliseconds(limitMs)}`, judgement: atMost(Number.isNaN(p99) ? Infinity : p99, limitMs, milliseconds) }
}

/** The share of answers that are 200 pages (whole, degraded or stale) at least `share`. */
export function okShareAtLeast(answers: readonly Answer[], share: number): Objective {
  const ok = answers.filter((answer) => answer.status === 200).length / Math.max(1, answers.length)
  return { measure: '200 share', figure: percent(ok), limit: `≥ ${percent(share)}`, judgement: atLeast(ok, share, (gap) => `${(gap * 100).toFixed(1)} points`) }
}

/** `99.5%` */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`
}
