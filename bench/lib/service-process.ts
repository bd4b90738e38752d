import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

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
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), fileURLToPath(options.entry)], {
    cwd: fileURLToPath(new URL('..', options.entry)),
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const tail: string[] = []
  let forwarded = 0
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') {
        continue
      }
      tail.push(line)
      tail.splice(0, Math.max(0, tail.length - 20))
      // A few lines show what a service complains about; hundreds of the same would bury the table.
      if (forwarded < MAX_FORWARDED_LINES) {
        process.stderr.write(`[${options.name}] ${line.length > 400 ? `${line.slice(0, 400)}…` : line}\n`)
      }
      forwarded++
    }
  }
  child.stdout.on('data', forward)
  child.stderr.on('data', forward)
  const exited = exitOf(child)
  const running: RunningProcess = {
    name: options.name,
    port: options.port,
    pid: child.pid ?? 0,
    get logLines() {
      return forwarded
    },
    stop: () => stopChild(child, exited),
  }

  const deadline = performance.now() + options.readyTimeoutMs
  while (performance.now() < deadline) {
    const outcome = await Promise.race([exited.then((code) => ({ code })), isReady(options.port).then((ready) => ({ ready }))])
    if ('code' in outcome) {
      throw new Error(`${options.name} exited (${outcome.code}) before it was ready:\n${tail.join('\n')}`)
    }
    if (outcome.ready) {
      return running
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
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

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${LOOPBACK}:${port}/health/ready`, { signal: AbortSignal.timeout(1000) })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

/** Resolves with the exit code (or signal name) once the child has exited. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode ?? 'gone')
      return
    }
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'gone')
    })
  })
}

/** SIGTERM, then SIGKILL if the child is still there after the services' default grace period and a margin. */
export async function stopChild(child: ChildProcess, exited: Promise<number | string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const lingering = new Promise<'lingering'>((resolve) => {
    timer = setTimeout(() => {
      resolve('lingering')
    }, 15_000)
  })
  const outcome = await Promise.race([exited, lingering])
  clearTimeout(timer)
  if (outcome === 'lingering') {
    child.kill('SIGKILL')
    await exited
  }
}
