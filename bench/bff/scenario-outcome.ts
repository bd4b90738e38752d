/** One line of the table: a load run and what it cost. */
export interface BenchRow {
  readonly scenario: string
  /** What was requested, e.g. `BFF GET /products/all (user 1)`. */
  readonly request: string
  readonly connections: number
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Answers counted by kind, e.g. `200 ×41 210`. */
  readonly answers: string
  /** CPU µs per answer of the process measured, and of every process of the system serving it. */
  readonly cpuUsPerAnswer: readonly [number | undefined, number | undefined]
  readonly note: string
}

/** A target and whether this run met it. */
export interface Verdict {
  readonly target: string
  /** The figures compared, e.g. `2.9 ms ≤ 0.9 + 0.7 + 1.5 = 3.1 ms`. */
  readonly measured: string
  readonly met: boolean
}

/** What a scenario reports. */
export interface ScenarioOutcome {
  readonly rows: readonly BenchRow[]
  readonly verdicts: readonly Verdict[]
  /** Facts the reader needs beside the table. */
  readonly notes: readonly string[]
  /** What makes the run invalid (answers that should not be there, connection errors). */
  readonly problems: readonly string[]
}

/** Answers by kind, most frequent first: `200 ×41210, 503 ×2`. */
export function describeCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => `${label} ×${count}`)
    .join(', ')
}
