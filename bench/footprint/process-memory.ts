import { readFileSync } from 'node:fs'

import { type ProcessInfo, descendantsOf } from './process-tree.js'

/** Resident memory of one process or a group of them, in bytes. */
interface Memory {
  /**
   * Resident set size: every page the process has in memory, its share of shared pages counted
   * whole. Summed over processes it counts a shared page once per process that maps it.
   */
  readonly rss: number
  /**
   * Proportional set size: each shared page divided among the processes that map it. Summed over
   * processes it counts every page once: what the group really occupies.
   */
  readonly pss: number
}

/** No memory: the start of a sum. */
const NO_MEMORY: Memory = { rss: 0, pss: 0 }

/** Adds two figures. */
function addMemory(a: Memory, b: Memory): Memory {
  return { rss: a.rss + b.rss, pss: a.pss + b.pss }
}

/**
 * Reads a process's RSS and PSS from `/proc/<pid>/smaps_rollup` (Linux 4.14 and later; reading
 * another user's process, such as PostgreSQL run as `postgres`, needs root or the same user).
 * Undefined when the process is gone or cannot be read.
 */
function readMemory(pid: number): Memory | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  } catch {
    return undefined
  }
  const kib = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
    return match === null ? undefined : Number(match[1]) * 1024
  }
  const rss = kib('Rss')
  const pss = kib('Pss')
  return rss === undefined || pss === undefined ? undefined : { rss, pss }
}

/** The parts of a running Storefront, as the breakdown names them. */
export const ROLES = ['launcher', 'products', 'inventory', 'favorites', 'cart', 'bff', 'postgres', 'other'] as const

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number]

/**
 * Which part of the system a process of the launcher's tree is: the launcher itself, a service or
 * the BFF (by its `services/<name>/dist/server.js`), the PostgreSQL server with every backend and
 * worker it forks (children of the server's binary), or something else.
 */
export function roleOf(info: ProcessInfo, tree: readonly ProcessInfo[], launcherPid: number): Role {
  if (info.pid === launcherPid) {
    return 'launcher'
  }
  const service = /services\/(products|inventory|favorites|cart|bff)\/dist\/server\.js/.exec(info.command)
  if (service !== null) {
    return service[1] as Role
  }
  if (isPostgres(info)) {
    return 'postgres'
  }
  // A backend's command line is rewritten ("postgres: products products …"): its parent says more.
  const parent = tree.find((candidate) => candidate.pid === info.ppid)
  return parent !== undefined && isPostgres(parent) ? 'postgres' : 'other'
}

function isPostgres(info: ProcessInfo): boolean {
  return /(^|\/)postgres( |$)/.test(info.command) || info.command.startsWith('postgres:')
}

/** Memory of one part of the system. */
interface RoleMemory extends Memory {
  /** How many processes it is made of now. */
  readonly processes: number
}

/** The memory of the whole tree at one moment. */
export interface TreeSnapshot {
  readonly total: Memory
  readonly processes: number
  readonly byRole: ReadonlyMap<Role, RoleMemory>
}

/**
 * Reads the memory of `launcherPid` and every process below it now. A process that exits between
 * the listing and the read is left out (it holds no memory any more).
 */
export function snapshotTree(launcherPid: number): TreeSnapshot {
  const tree = descendantsOf(launcherPid)
  let total = NO_MEMORY
  let processes = 0
  const byRole = new Map<Role, RoleMemory>()
  for (const info of tree) {
    const memory = readMemory(info.pid)
    if (memory === undefined) {
      continue
    }
    total = addMemory(total, memory)
    processes++
    const role = roleOf(info, tree, launcherPid)
    const before = byRole.get(role) ?? { ...NO_MEMORY, processes: 0 }
    byRole.set(role, { ...addMemory(before, memory), processes: before.processes + 1 })
  }
  return { total, processes, byRole }
}
