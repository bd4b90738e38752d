import { type ChildProcess, type Serializable, spawn } from 'node:child_process'

import { createLineSplitter } from './line-splitter.js'

/** Which of a child's output streams a line came from. */
export type OutputStream = 'stdout' | 'stderr'

/** How a child process ended: its exit code, or the signal that ended it (the other is null). */
export interface ProcessExit {
  /** Negative (`-2`, ENOENT) when the process could not be started at all. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** Options of {@link NodeProcess.start}. */
export interface NodeProcessOptions {
  /** The script run with this Node.js (`process.execPath`). */
  readonly script: string
  /** Arguments after the script. */
  readonly args?: readonly string[]
  /** Node.js flags before the script, such as `--cpu-prof`. */
  readonly nodeArgs?: readonly string[]
  /** The working directory. Defaults to this process's. */
  readonly cwd?: string
  /** The whole environment of the child: nothing of this process's leaks in unless it is passed. */
  readonly env: Readonly<Record<string, string>>
  /**
   * A process group of its own, so that a Ctrl-C in the terminal reaches only this process, which
   * then stops the child in order rather than having it race its own shutdown. Defaults to false.
   */
  readonly detached?: boolean
  /**
   * Each line the child writes to stdout or stderr, without its newline; a last line with none is
   * passed on when the stream ends. Without it the child writes to this process's stdout and stderr.
   */
  readonly onLine?: (line: string, stream: OutputStream) => void
  /**
   * An error the child process reports: it could not be started (its exit follows, with a negative
   * code), could not be signalled, or a message could not be sent. Ignored when omitted.
   */
  readonly onError?: (error: Error) => void
  /** Opens an IPC channel for {@link NodeProcess.send} and {@link NodeProcess.onMessage}. Defaults to false. */
  readonly ipc?: boolean
}

/** Options of {@link NodeProcess.stop}. */
export interface StopOptions {
  /** How long the child may take to exit after SIGTERM before it gets SIGKILL, in ms. Defaults to 15 000. */
  readonly graceMs?: number
  /** Called just before the SIGKILL, for a child that outlived `graceMs`. */
  readonly onKill?: () => void
}

/**
 * The grace a child gets by default: the services' own shutdown grace (they drain requests and
 * close their database pool on SIGTERM) with a margin.
 */
const DEFAULT_GRACE_MS = 15_000

/**
 * A Node.js script run as a child process: its output as lines, its exit as a promise, and a stop
 * that asks first (SIGTERM) and insists later (SIGKILL). The launcher supervises the services with
 * it; the benchmarks run each service, and the launcher itself, with it.
 *
 * @example
 * const child = NodeProcess.start({ script: 'services/cart/dist/server.js', env, onLine: (line) => console.log(`[cart] ${line}`) })
 * const notReady = await waitReady([{ name: 'cart', origin: 'http://127.0.0.1:8003' }])
 * await child.stop()
 */
export class NodeProcess {
  /** Resolves once the child has exited and its output has all been passed on; never rejects. */
  readonly exited: Promise<ProcessExit>
  readonly #child: ChildProcess

  private constructor(child: ChildProcess, exited: Promise<ProcessExit>) {
    this.#child = child
    this.exited = exited
  }

  /** Spawns `process.execPath [...nodeArgs, script, ...args]`. */
  static start(options: NodeProcessOptions): NodeProcess {
    const { onLine } = options
    const output = onLine === undefined ? 'inherit' : 'pipe'
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      stdio: options.ipc === true ? ['ignore', output, output, 'ipc'] : ['ignore', output, output],
      detached: options.detached ?? false,
    })
    if (onLine !== undefined) {
      for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
        const splitter = createLineSplitter((line) => {
          onLine(line, name)
        })
        stream?.on('data', (chunk: Buffer) => {
          splitter.push(chunk)
        })
        stream?.on('end', () => {
          splitter.flush()
        })
      }
    }
    // Listened to even when nobody asks: an 'error' without a listener would throw in this process.
    child.on('error', (error) => {
      options.onError?.(error)
    })
    // 'close' rather than 'exit': it comes once stdout and stderr have ended, so every line is in.
    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('close', (code, signal) => {
        resolve({ code, signal })
      })
    })
    return new NodeProcess(child, exited)
  }

  /** The child's process id; undefined when it could not be started. */
  get pid(): number | undefined {
    return this.#child.pid
  }

  /** True from the start until the process has exited. */
  get running(): boolean {
    return this.#child.pid !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Sends `signal` to the child if it still runs (SIGINT, as a Ctrl-C in its terminal would). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) {
      this.#child.kill(signal)
    }
  }

  /**
   * SIGTERM, then SIGKILL if the child has not exited within `graceMs`. Resolves with how it
   * ended; at once for a child that has already exited. Safe to call more than once.
   */
  async stop(options: StopOptions = {}): Promise<ProcessExit> {
    this.signal('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const lingering = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(true)
        }, options.graceMs ?? DEFAULT_GRACE_MS)
      }),
    ])
    clearTimeout(timer)
    if (lingering && this.running) {
      options.onKill?.()
      this.#child.kill('SIGKILL')
    }
    return this.exited
  }

  /**
   * SIGKILL now, without waiting: the last resort in a process 'exit' listener (an uncaught error,
   * an exit elsewhere), where nothing asynchronous runs any more.
   */
  kill(): void {
    try {
      this.signal('SIGKILL')
    } catch {
      // Already gone: nothing left to do.
    }
  }

  /** Sends a message over the IPC channel (`ipc: true`). */
  send(message: Serializable): void {
    this.#child.send(message)
  }

  /** Calls `listener` with each message the child sends over the IPC channel; returns the unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void {
    this.#child.on('message', listener)
    return () => {
      this.#child.off('message', listener)
    }
  }
}
