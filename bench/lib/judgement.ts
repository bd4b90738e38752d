/** A figure judged against its limit. */
export interface Judgement {
  readonly met: boolean
  /** `met`, or `MISSED` with the gap in the figure's own unit: `MISSED (+0.96 s)`, `MISSED (-4.1 points)`. */
  readonly verdict: string
}

/** At most `ceiling` (`strict`: under it); the gap is formatted by `format`. */
export function atMost(value: number, ceiling: number, format: (value: number) => string, strict = false): Judgement {
  const met = strict ? value < ceiling : value <= ceiling
  return { met, verdict: met ? 'met' : `MISSED (+${format(value - ceiling)})` }
}

/** At least `floor`; the gap is formatted by `format`. */
export function atLeast(value: number, floor: number, format: (value: number) => string): Judgement {
  const met = value >= floor
  return { met, verdict: met ? 'met' : `MISSED (-${format(floor - value)})` }
}
