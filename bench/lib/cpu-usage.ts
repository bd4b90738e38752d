import { readFileSync } from 'node:fs'

// /proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space.
const TICKS_PER_SECOND = 100

/**
 * CPU time (user + system) the processes have used since they started, in seconds, from
 * `/proc/<pid>/stat`; undefined off Linux or when one of them is gone. Read before and after a run,
 * it tells what a request costs each process, however busy the rest of the machine is.
 */
export function cpuSecondsOf(pids: readonly number[]): number | undefined {
  let ticks = 0
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      return undefined
    }
    // The command name (2nd field) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    ticks += Number(fields[11]) + Number(fields[12])
  }
  return ticks / TICKS_PER_SECOND
}
