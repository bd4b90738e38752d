import type { Answer } from '../lib/open-loop.js'

/** A page with nothing missing: 200 and an empty `degraded`. */
function isWhole(answer: Answer): boolean {
  return answer.status === 200 && answer.kind.degraded.length === 0
}

/** A server error, or no answer at all (refused, reset, timed out). */
export function isFailure(answer: Answer): boolean {
  return answer.status === 0 || answer.status >= 500
}

/** The answers to requests sent from `fromMs` (inclusive) to `toMs` (exclusive), on the `performance.now()` clock. */
export function sentBetween(answers: readonly Answer[], fromMs: number, toMs = Number.POSITIVE_INFINITY): Answer[] {
  return answers.filter((answer) => answer.sentAtMs >= fromMs && answer.sentAtMs < toMs)
}

/** How many answers got each label, most frequent first. */
export function countByLabel(answers: readonly Answer[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const answer of answers) {
    counts.set(answer.kind.label, (counts.get(answer.kind.label) ?? 0) + 1)
  }
  return new Map([...counts].sort((a, b) => b[1] - a[1]))
}

/**
 * Time to full recovery, in ms: from `fromMs` (a restart, a fault switched off) to the sending of
 * the first whole page after which every page was whole; 0 when every page from `fromMs` on was.
 * Undefined when the last page sent was still not whole, or none was sent after `fromMs`.
 */
export function recoveryMs(answers: readonly Answer[], fromMs: number): number | undefined {
  const after = sentBetween(answers, fromMs).sort((a, b) => a.sentAtMs - b.sentAtMs)
  const lastBad = after.findLastIndex((answer) => !isWhole(answer))
  if (after.length === 0 || lastBad === after.length - 1) {
    return undefined
  }
  return lastBad === -1 ? 0 : after[lastBad + 1]!.sentAtMs - fromMs
}
