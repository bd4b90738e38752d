/** One case's samples (ns per call, one per round) and their median. */
export interface Measurement {
  readonly samplesNs: readonly number[]
  readonly medianNs: number
}

/** How much to measure. */
export interface MeasureOptions {
  /** Sequential awaited calls per sample. */
  readonly callsPerSample: number
  /** Samples per case; cases take turns inside each round. */
  readonly rounds: number
}

/**
 * Measures each async function's cost per awaited call. Rounds interleave the cases (in a rotated
 * order each round) so that a noisy moment on a shared machine lands on all of them; a warm-up
 * round lets the JIT settle first.
 */
export async function measureInterleaved(
  fns: ReadonlyArray<() => Promise<unknown>>,
  options: MeasureOptions,
): Promise<Measurement[]> {
  const samples: number[][] = fns.map(() => [])
  for (const fn of fns) {
    await sample(fn, options.callsPerSample)
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let offset = 0; offset < fns.length; offset++) {
      const index = (round + offset) % fns.length
      samples[index]!.push(await sample(fns[index]!, options.callsPerSample))
    }
  }
  return samples.map((values) => ({ samplesNs: values, medianNs: median(values) }))
}

async function sample(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) {
    await fn()
  }
  return Number(process.hrtime.bigint() - start) / calls
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
