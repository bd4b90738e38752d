import { readFileSync, readdirSync } from 'node:fs'

/** One process, as `/proc` describes it. */
export interface ProcessInfo {
  readonly pid: number
  readonly ppid: number
  /**
   * When it started, in clock ticks since boot (`/proc/<pid>/stat` field 22): with the pid, it
   * names the process for good, so a pid reused after an exit is never mistaken for it.
   */
  readonly startTicks: number
  /** Its command line, arguments joined by spaces (empty for a kernel thread). */
  readonly command: string
}

/** Reads one process; undefined when it is gone (or was never there). */
function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (2nd field) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '').join(' ')
    return { pid, ppid: Number(fields[1]), startTicks: Number(fields[19]), command }
  } catch {
    return undefined
  }
}

/** Every process on the machine that can be read now. */
function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = []
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) {
      const info = readProcess(Number(entry))
      if (info !== undefined) {
        processes.push(info)
      }
    }
  }
  return processes
}

/**
 * `root` and every process below it (children, their children…), root first. The launcher's
 * children run in process groups of their own, so the parent links, not the group, say what
 * belongs to it; PostgreSQL's backends are the server's children and are found the same way.
 */
export function descendantsOf(root: number, processes: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>()
  for (const info of processes) {
    const siblings = children.get(info.ppid)
    if (siblings === undefined) {
      children.set(info.ppid, [info])
    } else {
      siblings.push(info)
    }
  }
  const rootInfo = processes.find((info) => info.pid === root)
  if (rootInfo === undefined) {
    return []
  }
  const tree = [rootInfo]
  for (let index = 0; index < tree.length; index++) {
    tree.push(...(children.get(tree[index]!.pid) ?? []))
  }
  return tree
}

/** True while the very process `info` describes runs (not a later one that got its pid). */
export function isStillRunning(info: ProcessInfo): boolean {
  return readProcess(info.pid)?.startTicks === info.startTicks
}
