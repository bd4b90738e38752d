import { describeCounts } from '../bff/scenario-outcome.js'
import { formatTable } from '../lib/format-table.js'
import { latencyAt } from '../lib/open-loop.js'
import { countByLabel } from './answer-stats.js'
import { type ChaosOutcome, milliseconds } from './chaos-outcome.js'

/** The printed report of a chaos run. */
export interface ChaosReport {
  /** Every objective: scenario, measure, figure, limit, verdict. */
  readonly objectives: string
  /** Every scenario's answers: how many, p50/p99, and by kind. */
  readonly answers: string
  /** Objectives missed (0 when the run is not judged). */
  readonly missed: number
}

/** Builds the tables; with `judged` false (`--quick`) no verdict is given and nothing counts as missed. */
export function buildChaosReport(outcomes: readonly ChaosOutcome[], judged: boolean): ChaosReport {
  const objectives = outcomes.flatMap((outcome) => outcome.objectives.map((objective) => ({ scenario: outcome.scenario, objective })))
  return {
    objectives: formatTable(
      ['scenario', 'measure', 'figure', 'objective', 'verdict'],
      objectives.map(({ scenario, objective }) => [scenario, objective.measure, objective.figure, objective.limit, judged ? objective.judgement.verdict : 'not judged (--quick)']),
    ),
    answers: formatTable(
      ['scenario', 'pages', 'p50', 'p99', 'answers by kind'],
      outcomes.map((outcome) => [
        outcome.scenario,
        String(outcome.answers.length),
        milliseconds(latencyAt(outcome.answers, 0.5)),
        milliseconds(latencyAt(outcome.answers, 0.99)),
        describeCounts(countByLabel(outcome.answers)),
      ]),
    ),
    missed: judged ? objectives.filter(({ objective }) => !objective.judgement.met).length : 0,
  }
}
