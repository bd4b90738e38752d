import { type TreeSnapshot, snapshotTree } from './process-memory.js'

/** The largest figures seen while some work ran. */
export interface MemoryPeak {
  /** The snapshot with the largest PSS sum: its per-part figures add up to that sum. */
  readonly atPeakPss: TreeSnapshot
  /** The largest RSS sum seen (it may come from another snapshot than the PSS peak). */
  readonly peakRss: number
  /** Snapshots taken. */
  readonly samples: number
}

/**
 * Runs `work` while reading the memory of the launcher's tree every `intervalMs` (and once before
 * and after), and returns its result with the peak. A peak between two readings is missed, so the
 * interval should be short beside the load (250 ms against 10 s of load reads 40 times).
 */
export async function sampleWhile<T>(launcherPid: number, intervalMs: number, work: () => Promise<T>): Promise<{ result: T; peak: MemoryPeak }> {
  let atPeakPss = snapshotTree(launcherPid)
  let peakRss = atPeakPss.total.rss
  let samples = 1
  const sample = (): void => {
    const snapshot = snapshotTree(launcherPid)
    samples++
    if (snapshot.total.pss > atPeakPss.total.pss) {
      atPeakPss = snapshot
    }
    peakRss = Math.max(peakRss, snapshot.total.rss)
  }
  const timer = setInterval(sample, intervalMs)
  try {
    const result = await work()
    sample()
    return { result, peak: { atPeakPss, peakRss, samples } }
  } finally {
    clearInterval(timer)
  }
}
