import type { Judgement } from '../lib/judgement.js'
import type { Answer } from '../lib/open-loop.js'

/** One promise the system makes under a fault, the figure measured, and the verdict. */
export interface Objective {
  /** What is measured: `5xx or no answer`, `time to full recovery after the restart`. */
  readonly measure: string
  readonly figure: string
  /** The limit: `0`, `≤ 10 s`. */
  readonly limit: string
  readonly judgement: Judgement
}

/** What one scenario reports. */
export interface ChaosOutcome {
  readonly scenario: string
  /** Every page answer of the scenario's load, in the order sent. */
  readonly answers: readonly Answer[]
  readonly objectives: readonly Objective[]
  /** Facts the reader needs beside the tables: when the fault came, what was restarted. */
  readonly notes: readonly string[]
}

/** `1.23 s`, or `not recovered` for a missing figure. */
export function seconds(ms: number | undefined): string {
  return ms === undefined ? 'not recovered' : `${(ms / 1000).toFixed(2)} s`
}

/** `12.3 ms` */
export function milliseconds(ms: number): string {
  return Number.isNaN(ms) ? 'none' : `${ms.toFixed(1)} ms`
}
