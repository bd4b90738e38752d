import { readFileSync } from 'node:fs'

import { type Role, roleOf } from './process-memory.js'
import { descendantsOf } from './process-tree.js'

// /proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space.
const TICKS_PER_SECOND = 100

/**
 * CPU seconds (user + system) a process has used, its children that exited and were waited for
 * included (`/proc/<pid>/stat` fields 14-17): the launcher's figure holds initdb's, the
 * PostgreSQL server's the backends' that have closed. Undefined when it is gone.
 */
function cpuSecondsWithChildren(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (2nd field) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number)
    return fields.reduce((sum, ticks) => sum + ticks, 0) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/**
 * The CPU seconds the launcher's tree has used so far, by part. On a machine of two cores a start
 * is CPU-bound, so this says what a start costs whatever else the machine runs, where the time to
 * "up" also counts the other work's share of the cores.
 */
export function treeCpuSeconds(launcherPid: number): ReadonlyMap<Role | 'all', number> {
  const tree = descendantsOf(launcherPid)
  const byRole = new Map<Role | 'all', number>()
  for (const info of tree) {
    const seconds = cpuSecondsWithChildren(info.pid)
    if (seconds !== undefined) {
      const role = roleOf(info, tree, launcherPid)
      byRole.set(role, (byRole.get(role) ?? 0) + seconds)
      byRole.set('all', (byRole.get('all') ?? 0) + seconds)
    }
  }
  return byRole
}
