import { formatTable } from '../lib/format-table.js'
import { type Run, type ScenarioOutcome, describeCounts } from './scenario-outcome.js'

/** What a run reads as. */
export interface BenchReport {
  /** A row per target: the figure, the hello-world's same figure, the ratio, the limit, the verdict. */
  readonly targets: string
  /** A row per load run: throughput, latency, answers, CPU; empty when no scenario loaded anything. */
  readonly runs: string
  /** The scenarios' own tables, after the runs table. */
  readonly tables: readonly string[]
  /** `N of M targets met.` */
  readonly summary: string
  /** Notes of the scenarios, then what makes the run invalid, if anything. */
  readonly notes: readonly string[]
  /** Targets missed. */
  readonly missed: number
  /** True when a scenario saw wrong answers or errors: its figures measure something else. */
  readonly invalid: boolean
}

/** Renders the scenarios' outcomes as the targets table, the runs table and the notes. */
export function buildBenchReport(outcomes: readonly ScenarioOutcome[]): BenchReport {
  const verdicts = outcomes.flatMap((outcome) => outcome.verdicts)
  const runs = outcomes.flatMap((outcome) => outcome.runs)
  const problems = [...outcomes.flatMap((outcome) => outcome.problems), ...runs.filter((run) => run.wrong > 0).map(wrongAnswers)]
  const met = verdicts.filter((verdict) => verdict.judgement.met).length
  return {
    targets: formatTable(
      ['target', 'figure', 'hello-world, same run', 'ratio', 'limit', 'verdict'],
      verdicts.map((verdict) => [verdict.target, verdict.figure, verdict.hello, verdict.ratio, verdict.limit, verdict.judgement.verdict]),
    ),
    runs: runs.length === 0 ? '' : formatTable(
      ['scenario', 'request', 'conn.', 'req/s', 'p50 ms', 'p99 ms', 'answers', 'wrong', 'CPU µs/answer: process / system', 'note'],
      runs.map((run) => [
        run.scenario,
        run.request,
        String(run.connections),
        run.result.requestsPerSecond.toFixed(0),
        run.result.p50Ms.toFixed(2),
        run.result.p99Ms.toFixed(2),
        describeCounts(answersOf(run)),
        String(run.wrong),
        run.cpuUsPerAnswer.map((value) => (value === undefined ? '-' : value.toFixed(0))).join(' / '),
        run.note,
      ]),
    ),
    tables: outcomes.flatMap((outcome) => outcome.tables ?? []),
    summary: `${met} of ${verdicts.length} targets met.`,
    notes: [
      ...outcomes.flatMap((outcome) => outcome.notes),
      ...(problems.length === 0 ? [] : ['INVALID: wrong answers or errors, which a valid run does not have:', ...problems.map((problem) => `  ${problem}`)]),
    ],
    missed: verdicts.length - met,
    invalid: problems.length > 0,
  }
}

/** The answers of a run by label, connection errors included. */
function answersOf(run: Run): Map<string, number> {
  const answers = new Map(run.result.byLabel)
  if (run.result.errors > 0) {
    answers.set('connection errors', run.result.errors)
  }
  return answers
}

function wrongAnswers(run: Run): string {
  return `${run.scenario}: ${run.wrong} wrong answer(s) or error(s) from ${run.request} at ${run.connections} connection(s): ${describeCounts(answersOf(run))}`
}
