import { fileURLToPath } from 'node:url'

import { NodeProcess } from '@storefront/service-kit/processes'

import { exitStatus } from '../lib/service-process.js'
import { treeCpuSeconds } from './process-cpu.js'
import type { Role } from './process-memory.js'
import { type ProcessInfo, descendantsOf, isStillRunning } from './process-tree.js'

/** The line the launcher prints once the BFF answers ready: `Storefront is up: <origin>/products/all`. */
const UP_LINE = /Storefront is up: (http:\/\/[^/\s]+)/

/** Milestones of the launcher's own log, timed from the spawn: where a start spends its time. */
const MILESTONES: ReadonlyArray<readonly [string, RegExp]> = [
  ['postgres up', /launcher \| postgres: (started|using)/],
  ['services spawned', /launcher \| started cart /],
  ...['products', 'inventory', 'favorites', 'cart'].map((name): [string, RegExp] => [`${name} listening`, new RegExp(`^${name} +\\| .*Server listening`)]),
  ['services ready', /launcher \| services ready/],
  ['BFF spawned', /launcher \| started bff /],
  ['BFF listening', /^bff +\| .*Server listening/],
  ['BFF ready ("up")', UP_LINE],
]

/** Lines of the launcher's output kept for an error message. */
const TAIL_LINES = 40

/** Options of {@link startLauncher}. */
export interface StartLauncherOptions {
  /** The compiled launcher, `tools/launcher/dist/main.js`. */
  readonly entry: URL
  /** The working directory, the repository root (as `npm start` runs it). */
  readonly cwd: URL
  readonly basePort: number
  readonly dataDir: string
  /** The launcher's whole environment (it hands it down to every child). */
  readonly env: Readonly<Record<string, string>>
  /** How long the start may take before it is taken as failed, in ms. */
  readonly upTimeoutMs: number
  /** Aborts the wait (Ctrl-C); the launcher is stopped then. */
  readonly signal: AbortSignal
  /** Each line of the launcher's output (its children's lines come through it, prefixed). */
  readonly onLine?: (line: string) => void
}

/** A launcher that printed "Storefront is up". */
export interface RunningLauncher {
  readonly pid: number
  /** The BFF's origin from the "up" line, e.g. `http://127.0.0.1:22000`. */
  readonly bffOrigin: string
  /** Milliseconds from the spawn to the "up" line. */
  readonly upMs: number
  /** Milliseconds from the spawn to each milestone of {@link MILESTONES} seen, in order. */
  readonly milestones: ReadonlyArray<readonly [string, number]>
  /** CPU seconds its tree had used when it printed the "up" line, by part (initdb in the launcher's). */
  readonly cpuAtUp: ReadonlyMap<Role | 'all', number>
  /**
   * SIGTERM, as Ctrl-C in its terminal would, then waits for it to exit; any process of its tree
   * still running after `graceMs` (the launcher included) gets SIGKILL. Resolves with the
   * launcher's exit code (or signal name). Safe to call more than once.
   */
  stop(graceMs?: number): Promise<number | string>
}

/**
 * Runs the launcher as `npm start` would (`node tools/launcher/dist/main.js`), in a process group
 * of its own so that a Ctrl-C in the benchmark's terminal reaches only the benchmark, which then
 * stops it in order. Resolves once it prints "Storefront is up"; rejects, after stopping it, when
 * it exits first, does not come up in time, or the signal aborts.
 */
export async function startLauncher(options: StartLauncherOptions): Promise<RunningLauncher> {
  options.signal.throwIfAborted()
  const startedAt = performance.now()
  const tail: string[] = []
  const milestones: Array<readonly [string, number]> = []
  let bffOrigin: string | undefined
  let cpuAtUp: ReadonlyMap<Role | 'all', number> = new Map()
  let onUp: (() => void) | undefined
  const child: NodeProcess = NodeProcess.start({
    script: fileURLToPath(options.entry),
    args: ['--base-port', String(options.basePort), '--data-dir', options.dataDir],
    cwd: fileURLToPath(options.cwd),
    env: options.env,
    detached: true,
    onLine: (line) => {
      tail.push(line)
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES))
      options.onLine?.(line)
      for (const [name, pattern] of MILESTONES) {
        if (pattern.test(line) && !milestones.some(([seen]) => seen === name)) {
          milestones.push([name, performance.now() - startedAt])
        }
      }
      const up = UP_LINE.exec(line)
      if (up !== null && bffOrigin === undefined) {
        bffOrigin = up[1]
        if (child.pid !== undefined) {
          cpuAtUp = treeCpuSeconds(child.pid)
        }
        onUp?.()
      }
    },
  })
  const exited = child.exited.then(exitStatus)
  // Every process of the tree seen so far, for the SIGKILL of last resort.
  const seen = new Map<number, ProcessInfo>()
  const remember = (): void => {
    if (child.pid !== undefined) {
      for (const info of descendantsOf(child.pid)) {
        seen.set(info.pid, info)
      }
    }
  }
  const watcher = setInterval(remember, 500)
  const stop = async (graceMs = 30_000): Promise<number | string> => {
    remember()
    clearInterval(watcher)
    // SIGKILL to every process of the tree seen that still runs, the launcher included.
    const killLeftovers = (): void => {
      for (const info of seen.values()) {
        if (isStillRunning(info)) {
          try {
            process.kill(info.pid, 'SIGKILL')
          } catch {
            // Gone meanwhile.
          }
        }
      }
    }
    const exit = await child.stop({ graceMs, onKill: killLeftovers })
    // The launcher stops its children before it exits: any still here were left behind.
    killLeftovers()
    return exitStatus(exit)
  }

  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    const outcome = await Promise.race([
      new Promise<'up'>((resolve) => { onUp = () => { resolve('up') } }),
      exited.then((code) => ({ code })),
      new Promise<'timeout'>((resolve) => { timer = setTimeout(() => { resolve('timeout') }, options.upTimeoutMs) }),
      new Promise<'aborted'>((resolve) => {
        onAbort = () => { resolve('aborted') }
        options.signal.addEventListener('abort', onAbort, { once: true })
      }),
    ])
    if (outcome !== 'up') {
      await stop(15_000)
      const why = outcome === 'timeout' ? `did not print "Storefront is up" within ${options.upTimeoutMs} ms` : outcome === 'aborted' ? 'was stopped (interrupted)' : `exited (${outcome.code}) before it was up`
      throw new Error(`the launcher ${why}; its last lines:\n${tail.join('\n')}`)
    }
    remember()
    return { pid: child.pid!, bffOrigin: bffOrigin!, upMs: milestones.find(([name]) => name === 'BFF ready ("up")')?.[1] ?? performance.now() - startedAt, milestones, cpuAtUp, stop }
  } finally {
    clearTimeout(timer)
    if (onAbort !== undefined) {
      options.signal.removeEventListener('abort', onAbort)
    }
  }
}
