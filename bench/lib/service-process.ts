import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

import { NodeProcess, type ProcessExit, waitReady } from '@storefront/service-kit/processes'

import { LOOPBACK } from './loopback.js'

/** Log lines of a child shown in full; the rest are counted. */
const MAX_FORWARDED_LINES = 5

/** A child process serving HTTP on the loopback interface. */
export interface RunningProcess {
  readonly name: string
  readonly port: number
  /** Its process id, for CPU accounting. */
  readonly pid: number
  /** Lines it has logged so far (the services run at LOG_LEVEL=warn, so each is a warning or an error). */
  readonly logLines: number
  /** Asks it to stop (SIGTERM: the services drain and close their pool), then kills it if it lingers. */
  stop(): Promise<void>
  /** Kills it with SIGKILL now, as a crash would, and resolves once it has exited. */
  kill(): Promise<void>
}

/** Options of {@link startService}. */
export interface StartServiceOptions {
  readonly name: string
  /** The compiled entry point, `services/<name>/dist/server.js`. */
  readonly entry: URL
  readonly port: number
  /** The whole environment of the child: nothing of the caller's shell leaks in (no stray FAULT_* or cache settings). */
  readonly env: Readonly<Record<string, string>>
  /** Extra Node.js flags, such as `--cpu-prof`. */
  readonly nodeArgs?: readonly string[]
  /** How long it may take to answer 200 on /health/ready, in ms. */
  readonly readyTimeoutMs: number
}

/**
 * Starts a service as its own process (so it has a core to itself, as in production, rather than
 * sharing the load generator's event loop), forwards its log lines with a prefix, and resolves
 * once `/health/ready` answers 200. Rejects, with the end of its output, if it exits first.
 */
export async function startService(options: StartServiceOptions): Promise<RunningProcess> {
  const tail: string[] = []
  let forwarded = 0
  const child = NodeProcess.start({
    script: fileURLToPath(options.entry),
    nodeArgs: options.nodeArgs ?? [],
    cwd: fileURLToPath(new URL('..', options.entry)),
    env: options.env,
    onLine: (line) => {
      if (line.trim() === '') {
        return
      }
      tail.push(line)
      tail.splice(0, Math.max(0, tail.length - 20))
      // A few lines show what a service complains about; hundreds of the same would bury the table.
      if (forwarded < MAX_FORWARDED_LINES) {
        process.stderr.write(`[${options.name}] ${line.length > 400 ? `${line.slice(0, 400)}…` : line}\n`)
      }
      forwarded++
    },
  })
  const running: RunningProcess = {
    name: options.name,
    port: options.port,
    pid: child.pid ?? 0,
    get logLines() {
      return forwarded
    },
    stop: async () => {
      await child.stop()
    },
    kill: async () => {
      child.kill()
      await child.exited
    },
  }

  // A child that exits ends the wait at once: its output says why, and no probe will ever succeed.
  const exitedEarly = new AbortController()
  void child.exited.then(() => {
    exitedEarly.abort()
  })
  const notReady = await waitReady([{ name: options.name, origin: `http://${LOOPBACK}:${options.port}` }], {
    intervalMs: 100,
    timeoutMs: options.readyTimeoutMs,
    signal: exitedEarly.signal,
  })
  if (notReady.length === 0) {
    return running
  }
  if (exitedEarly.signal.aborted) {
    throw new Error(`${options.name} exited (${exitStatus(await child.exited)}) before it was ready:\n${tail.join('\n')}`)
  }
  await running.stop()
  throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs} ms:\n${tail.join('\n')}`)
}

/** Fails when something already listens on `port`: a health check would then reach a stranger. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', () => {
      reject(new Error(`port ${port} on ${LOOPBACK} is in use (a service left from an earlier run?); free it first`))
    })
    probe.listen(port, LOOPBACK, () => {
      probe.close(() => {
        resolve()
      })
    })
  })
}

/** How a process ended, in a word: its exit code, or the signal that ended it. */
export function exitStatus(exit: ProcessExit): number | string {
  return exit.code ?? exit.signal ?? 'gone'
}
