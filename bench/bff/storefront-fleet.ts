import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { EmbeddedCluster, type StorefrontService } from '@storefront/service-kit'

import { startHelloWorld } from '../lib/hello-world.js'
import { LOOPBACK } from '../lib/loopback.js'
import { type RunningProcess, startService } from '../lib/service-process.js'
import { freePort } from './free-port.js'

/** How a child was started: what {@link StorefrontFleet.restart} needs to start it again. */
interface Launch {
  readonly folder: string
  readonly label: string
  readonly env: Readonly<Record<string, string>>
  readonly port: number
}

/** The four services the BFF calls. */
export type DownstreamName = StorefrontService

/** The BFF's downstreams, one running process each. */
export type Downstreams = Readonly<Record<DownstreamName, RunningProcess>>

/**
 * The BFF's per-client limit during the run: every autocannon connection comes from 127.0.0.1, so
 * a production-sized limit would turn the measurement into a measurement of 429s.
 */
const RATE_LIMIT_PER_MINUTE = '100000000'

/** What the hello-world answers: the classic bare-framework benchmark's body. */
const HELLO_BODY = '{"hello":"world"}'

/** How long a service may take to migrate, seed (10 000 products included) and answer ready. */
const READY_TIMEOUT_MS = 90_000

/** `http://127.0.0.1:<port>` of a running process. */
export function originOf(child: RunningProcess): string {
  return `http://${LOOPBACK}:${child.port}`
}

/**
 * The processes of one benchmark run: services, BFFs and the hello-world baseline on
 * system-chosen loopback ports, each service on a fresh database of its own on one embedded
 * PostgreSQL server in a temporary folder, all sharing one generated service token. Each child gets only the variables named here, so nothing of the caller's shell
 * (fault injection, cache settings, a DATABASE_URL) skews a figure.
 */
export class StorefrontFleet {
  /** The service token every service checks and the BFF sends. */
  readonly serviceToken = randomBytes(24).toString('hex')
  // Signs the demo sessions: random per run, as a BFF would make one up itself, but one for all its BFFs.
  private readonly authSecret = randomBytes(32).toString('hex')
  private readonly dataRoot = mkdtempSync(join(tmpdir(), 'storefront-bench-bff-'))
  /** One embedded PostgreSQL server for the run, started with the first service. */
  private cluster: Promise<EmbeddedCluster> | undefined
  private databases = 0
  private readonly running = new Set<RunningProcess>()
  /** How each child was started, so that {@link restart} starts it again the same way. */
  private readonly launches = new Map<RunningProcess, Launch>()
  private stopping: Promise<void> | undefined

  /**
   * `nodeArgs`: Node.js flags for a child by its label (`--cpu-prof` and its folder), or none.
   */
  constructor(
    private readonly root: URL,
    private readonly log: (line: string) => void,
    private readonly nodeArgs: (label: string) => string[] = () => [],
  ) {}

  /** Starts a service on a fresh database; `env` adds to the base (`SEED_PRODUCTS`, `FAULT_DELAY_MS`). */
  async startService(name: DownstreamName, env: Readonly<Record<string, string>> = {}, label: string = name): Promise<RunningProcess> {
    this.cluster ??= freePort().then(async (port) => {
      const cluster = new EmbeddedCluster({ dataDir: join(this.dataRoot, 'postgres'), port })
      await cluster.start()
      return cluster
    })
    const database = await (await this.cluster).ensureDatabase(`bench_${name}_${++this.databases}`)
    return this.start(name, label, { DATABASE_URL: database, SEED_DEMO_DATA: 'true', ...env })
  }

  /**
   * Starts a BFF calling `downstreams`, with demo sign-in and a limit no client reaches, at its
   * defaults but for `env` (`CATALOGUE_TTL_MS`, `STALE_IF_ERROR_MS`).
   */
  async startBff(downstreams: Downstreams, label = 'bff', env: Readonly<Record<string, string>> = {}): Promise<RunningProcess> {
    return this.start('bff', label, {
      PRODUCTS_URL: originOf(downstreams.products),
      INVENTORY_URL: originOf(downstreams.inventory),
      FAVORITES_URL: originOf(downstreams.favorites),
      CART_URL: originOf(downstreams.cart),
      AUTH_MODE: 'demo',
      AUTH_SECRET: this.authSecret,
      RATE_LIMIT_PER_MINUTE,
      ...env,
    })
  }

  /** Starts the hello-world baseline: a bare Fastify answering {@link HELLO_BODY} on `/`. */
  startHelloWorld(): Promise<RunningProcess> {
    return this.track('hello-world', () => startHelloWorld([{ path: '/', contentType: 'application/json; charset=utf-8', body: HELLO_BODY }], this.nodeArgs('hello-world')))
  }

  /** Whether `child` was started by this fleet and not stopped since. */
  isRunning(child: RunningProcess): boolean {
    return this.running.has(child)
  }

  /** Stops one process (SIGTERM, then SIGKILL if it lingers). */
  async stop(child: RunningProcess): Promise<void> {
    this.running.delete(child)
    await child.stop()
    this.countLines(child)
  }

  /** Kills one process with SIGKILL, as a crash would; {@link restart} starts it again. */
  async kill(child: RunningProcess): Promise<void> {
    this.running.delete(child)
    await child.kill()
  }

  /**
   * Starts a stopped or killed process again as it was started: the same port (so its callers
   * find it where they left it), environment and database.
   */
  async restart(child: RunningProcess): Promise<RunningProcess> {
    const launch = this.launches.get(child)
    if (launch === undefined) {
      throw new Error(`${child.name} was not started by this fleet`)
    }
    this.launches.delete(child)
    return this.start(launch.folder, launch.label, launch.env, launch.port)
  }

  /** Kills the PostgreSQL server with SIGKILL, as a crash would; {@link restartDatabase} starts it again. */
  async killDatabase(): Promise<void> {
    await (await this.cluster)?.kill()
  }

  /**
   * Starts the PostgreSQL server again on its data directory (it recovers from the WAL), once the
   * killed server's backends let go of its shared memory; resolves once it accepts connections.
   */
  async restartDatabase(): Promise<void> {
    const cluster = await this.cluster
    if (cluster === undefined) {
      throw new Error('no PostgreSQL server was started')
    }
    await cluster.startAfterCrash(READY_TIMEOUT_MS)
  }

  /** Stops every process still running and removes the data folders; safe to call more than once. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      const children = [...this.running]
      this.running.clear()
      await Promise.allSettled(children.map((child) => child.stop()))
      for (const child of children) {
        this.countLines(child)
      }
      await (await this.cluster)?.stop()
      rmSync(this.dataRoot, { recursive: true, force: true })
    })()
    return this.stopping
  }

  private async start(folder: string, label: string, env: Readonly<Record<string, string>>, knownPort?: number): Promise<RunningProcess> {
    const child = await this.track(label, async () => {
      const port = knownPort ?? await freePort()
      this.log(`${label}: starting on ${LOOPBACK}:${port}`)
      return startService({
        name: label,
        entry: new URL(`services/${folder}/dist/server.js`, this.root),
        port,
        env: { PATH: process.env.PATH ?? '', HOST: LOOPBACK, PORT: String(port), SERVICE_TOKEN: this.serviceToken, LOG_LEVEL: 'warn', ...env },
        nodeArgs: this.nodeArgs(label),
        readyTimeoutMs: READY_TIMEOUT_MS,
      })
    })
    this.launches.set(child, { folder, label, env, port: child.port })
    return child
  }

  /** Starts a child unless the run is stopping, and keeps it for {@link stopAll}. */
  private async track(label: string, start: () => Promise<RunningProcess>): Promise<RunningProcess> {
    if (this.isStopping()) {
      throw new Error(`not starting ${label}: the run is stopping`)
    }
    const child = await start()
    if (this.isStopping()) {
      // Interrupted while it started: it was not in the set stopAll() went through.
      await child.stop()
      throw new Error(`${label} started after the run was stopped`)
    }
    this.running.add(child)
    return child
  }

  // Only the first lines of a child are shown: say how many there were, since a service that logs
  // on every request spends its CPU on that.
  private countLines(child: RunningProcess): void {
    if (child.logLines > 0) {
      this.log(`${child.name} logged ${child.logLines} line(s) at LOG_LEVEL=warn (the first ones are above)`)
    }
  }

  // A method rather than a field test, since stopAll() may run while a start is awaited.
  private isStopping(): boolean {
    return this.stopping !== undefined
  }
}
