import { cpuSecondsOf } from '../lib/cpu-usage.js'

/** A result, and the CPU µs per answer each group of processes spent producing it (undefined off Linux). */
export interface WithCpu<T> {
  readonly result: T
  readonly cpuUsPerAnswer: ReadonlyArray<number | undefined>
}

/**
 * Runs `run` and reads the CPU time of each group of processes around it, divided by the answers
 * the run counted: what a request costs, however busy the machine is. On two cores a BFF's
 * throughput follows the CPU that the BFF and its downstreams spend per page.
 */
export async function withCpuPerAnswer<T>(groups: ReadonlyArray<readonly number[]>, run: () => Promise<T>, answersOf: (result: T) => number): Promise<WithCpu<T>> {
  const before = groups.map(cpuSecondsOf)
  const result = await run()
  const answers = answersOf(result)
  const cpuUsPerAnswer = groups.map((group, index) => {
    const start = before[index]
    const end = cpuSecondsOf(group)
    return start === undefined || end === undefined || answers === 0 ? undefined : ((end - start) * 1e6) / answers
  })
  return { result, cpuUsPerAnswer }
}
