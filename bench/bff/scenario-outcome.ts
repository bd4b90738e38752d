import type { Judgement } from '../lib/judgement.js'
import type { LoadResult } from '../lib/load.js'

/** One measured load run: a line of the runs table. */
export interface Run {
  readonly scenario: string
  /** What was requested: `BFF GET /products/all (user 1)`, `hello-world GET /`. */
  readonly request: string
  readonly connections: number
  readonly result: LoadResult
  /** CPU µs per answer of the process loaded, and of every process serving it (the same for a process alone); undefined off Linux. */
  readonly cpuUsPerAnswer: readonly [number | undefined, number | undefined]
  /** Answers that were not the right one, plus connection errors: any makes the run invalid. */
  readonly wrong: number
  readonly note: string
}

/** A target, the figure judged, the hello-world's same figure in this run, and the verdict. */
export interface Verdict {
  /** What is judged: `healthy, 10 products, 32 connections: req/s`. */
  readonly target: string
  /** The figure, with what it is made of. */
  readonly figure: string
  /** The hello-world's same figure, measured just before in this run. */
  readonly hello: string
  /** The figure over the hello-world's: `18.4%`, `7.9×`. */
  readonly ratio: string
  /** The limit: `≥ 20% of the hello-world`, `≤ 15 ms`. */
  readonly limit: string
  readonly judgement: Judgement
}

/** What a scenario reports. */
export interface ScenarioOutcome {
  readonly runs: readonly Run[]
  readonly verdicts: readonly Verdict[]
  /** Facts the reader needs beside the tables. */
  readonly notes: readonly string[]
  /** What makes the run invalid besides wrong answers under load (a wrong first page, a breaker that would not open). */
  readonly problems: readonly string[]
  /** Tables of the scenario's own, printed after the runs table: figures that are not load runs. */
  readonly tables?: readonly string[]
}

/** Answers by kind, most frequent first: `200 ×41210, 503 ×2`. */
export function describeCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => `${label} ×${count}`)
    .join(', ')
}
