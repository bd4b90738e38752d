import { formatTable } from '../lib/format-table.js'
import type { ScenarioOutcome, Verdict } from './scenario-outcome.js'

/** What a run reads as. */
export interface BenchReport {
  /** One Markdown table, a row per load run. */
  readonly table: string
  /** One line per target: `met` or `MISSED`, the target, the figures. */
  readonly verdicts: readonly string[]
  /** Notes of the scenarios, then what makes the run invalid, if anything. */
  readonly notes: readonly string[]
  /** True when a scenario saw answers or errors that should not be there: its figures measure something else. */
  readonly invalid: boolean
}

/** Renders the scenarios' outcomes as one table, the verdicts and the notes. */
export function buildBenchReport(outcomes: readonly ScenarioOutcome[]): BenchReport {
  const header = ['scenario', 'request', 'conn.', 'req/s', 'p50 ms', 'p99 ms', 'answers', 'CPU µs/answer: process / system', 'note']
  const rows = outcomes.flatMap((outcome) =>
    outcome.rows.map((row) => [
      row.scenario,
      row.request,
      String(row.connections),
      row.requestsPerSecond.toFixed(0),
      row.p50Ms.toFixed(2),
      row.p99Ms.toFixed(2),
      row.answers,
      row.cpuUsPerAnswer.map((value) => (value === undefined ? '-' : value.toFixed(0))).join(' / '),
      row.note,
    ]),
  )
  const verdicts = outcomes.flatMap((outcome) => outcome.verdicts)
  const problems = outcomes.flatMap((outcome) => outcome.problems)
  const met = verdicts.filter((verdict) => verdict.met).length
  return {
    table: formatTable(header, rows),
    verdicts: [...verdicts.map(verdictLine), `${met} of ${verdicts.length} targets met.`],
    notes: [
      ...outcomes.flatMap((outcome) => outcome.notes),
      ...(problems.length === 0 ? [] : ['INVALID: answers or errors that a valid run does not have:', ...problems.map((problem) => `  ${problem}`)]),
    ],
    invalid: problems.length > 0,
  }
}

function verdictLine(verdict: Verdict): string {
  return `${verdict.met ? 'met   ' : 'MISSED'} ${verdict.target}: ${verdict.measured}`
}
