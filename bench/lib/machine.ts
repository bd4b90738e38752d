import { arch, cpus, loadavg, platform } from 'node:os'

/** Where a benchmark runs: `Node.js v24.21.0, linux x64, 2 x AMD EPYC`. */
export function describePlatform(): string {
  return `Node.js ${process.version}, ${platform()} ${arch()}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`
}

/** The 1-minute load average now; read it at the start of a run for {@link describeLoad}. */
export function loadAverage(): number {
  return loadavg()[0] ?? 0
}

/**
 * How busy the machine was over a run, from the load average read at its start to the one now:
 * other work on the machine moves every figure, and not always evenly.
 */
export function describeLoad(atStart: number): string {
  return `1-minute load average ${atStart.toFixed(1)} at the start, ${loadAverage().toFixed(1)} at the end`
}
