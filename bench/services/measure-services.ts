import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'

import { cpuSecondsOf } from '../lib/cpu-usage.js'
import type { HelloRoute } from '../lib/hello-world-protocol.js'
import { startHelloWorld } from '../lib/hello-world.js'
import { type LoadResult, runLoad } from '../lib/load.js'
import { LOOPBACK } from '../lib/loopback.js'
import { type RunningProcess, assertPortFree, startService } from '../lib/service-process.js'
import { type BenchDatabase, createBenchDatabase, serverVersion } from './bench-database.js'
import { type BenchService } from './service-routes.js'

/** Options of {@link measureServices}. */
export interface MeasureServicesOptions {
  readonly services: readonly BenchService[]
  /** The repository's root folder: services are at `services/<name>/dist/server.js` under it. */
  readonly root: URL
  /** A PostgreSQL URL whose role may create databases, on the loopback interface. */
  readonly adminUrl: string
  readonly connections: number
  readonly durationS: number
  readonly warmupS: number
  /** Node.js flags for a child, by name (`--cpu-prof` and its folder), or none. */
  readonly nodeArgs: (name: string) => string[]
  /** Progress lines. */
  readonly log: (line: string) => void
}

/** One side of a row: the load run, and the CPU each of its process groups spent per response, in µs. */
interface Side {
  readonly load: LoadResult
  /** Service side: [its process, its PostgreSQL backends]; hello-world side: [its process]. Undefined off Linux. */
  readonly cpuUsPerResponse: ReadonlyArray<number | undefined>
}

/** One route: both sides measured, or why it was not. */
export interface Row {
  readonly service: string
  readonly route: string
  readonly own?: Side
  readonly hello?: Side
  readonly failure?: string
}

/** What a run measured. */
export interface Measurements {
  readonly rows: readonly Row[]
  /** Services skipped or failing, and other things the reader must know. */
  readonly notes: readonly string[]
  readonly pgVersion: string
}

/**
 * Starts every built service on a fresh database, captures each read route's answer, starts the
 * hello-world twin serving those answers, and measures both sides route by route. Whatever
 * happens, Ctrl-C included, the children are stopped and the databases dropped.
 */
export async function measureServices(options: MeasureServicesOptions): Promise<Measurements> {
  const { log } = options
  const notes: string[] = []
  const entryOf = (service: BenchService): URL => new URL(`services/${service.name}/dist/server.js`, options.root)
  // A service still being written has no build yet: it is skipped and named, not failed.
  const present = options.services.filter((service) => {
    if (existsSync(entryOf(service))) {
      return true
    }
    notes.push(`${service.name}: skipped, services/${service.name}/dist/server.js is missing (build it: npx tsc -b services/${service.name})`)
    log(notes.at(-1)!)
    return false
  })
  if (present.length === 0) {
    throw new Error('no built service to measure')
  }

  const token = randomBytes(24).toString('hex')
  const headers = { authorization: `Bearer ${token}` }
  const databases: BenchDatabase[] = []
  const processes: RunningProcess[] = []
  let cleaning: Promise<void> | undefined
  const cleanUp = (): Promise<void> => {
    cleaning ??= (async () => {
      await Promise.allSettled(processes.map((child) => child.stop()))
      const dropped = await Promise.allSettled(databases.map((database) => database.drop()))
      for (const outcome of dropped) {
        if (outcome.status === 'rejected') {
          log(`could not drop a benchmark database: ${String(outcome.reason)}`)
        }
      }
    })()
    return cleaning
  }
  const onInterrupt = (): void => {
    log('interrupted: stopping the services and dropping the databases')
    void cleanUp().finally(() => {
      // eslint-disable-next-line n/no-process-exit -- an interrupted run ends here, once cleaned up
      process.exit(130)
    })
  }
  process.once('SIGINT', onInterrupt)

  const rows: Row[] = []
  try {
    const pgVersion = await serverVersion(options.adminUrl)
    for (const service of present) {
      await assertPortFree(service.port)
    }

    // One by one: a service's first start runs its migrations and seed.
    const running: Array<{ service: BenchService; child: RunningProcess; database: BenchDatabase }> = []
    for (const service of present) {
      const database = await createBenchDatabase(options.adminUrl, service.name)
      databases.push(database)
      log(`${service.name}: starting on ${LOOPBACK}:${service.port} (database ${new URL(database.url).pathname.slice(1)})`)
      try {
        const child = await startService({
          name: service.name,
          entry: entryOf(service),
          port: service.port,
          env: { PATH: process.env.PATH ?? '', HOST: LOOPBACK, PORT: String(service.port), DATABASE_URL: database.url, SERVICE_TOKEN: token, LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'true' },
          nodeArgs: options.nodeArgs(service.name),
          readyTimeoutMs: 60_000,
        })
        processes.push(child)
        running.push({ service, child, database })
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        notes.push(`${service.name}: did not start: ${message.split('\n')[0] ?? ''}`)
        log(`${service.name}: did not start: ${message}`)
      }
    }

    // Capture each route's answer, so the twin returns the same bytes with the same content type.
    const measured: Array<{ service: BenchService; route: string; child: RunningProcess; database: BenchDatabase }> = []
    const twins: HelloRoute[] = []
    for (const { service, child, database } of running) {
      for (const route of service.routes) {
        const response = await fetch(`http://${LOOPBACK}:${child.port}${route}`, { headers })
        const body = await response.text()
        const contentType = response.headers.get('content-type') ?? ''
        if (response.status !== 200 || !contentType.startsWith('application/json')) {
          rows.push({ service: service.name, route, failure: `answered ${response.status} ${contentType}: ${body.slice(0, 120)}` })
          continue
        }
        twins.push({ path: route.split('?')[0]!, contentType, body })
        measured.push({ service, route, child, database })
      }
    }
    if (measured.length === 0) {
      return { rows, notes, pgVersion }
    }

    const hello = await startHelloWorld(twins, options.nodeArgs('hello-world'))
    processes.push(hello)
    for (const { service, route, child, database } of measured) {
      const measure = async (target: RunningProcess, pids: () => Promise<number[][]>): Promise<Side> => {
        const load = { url: `http://${LOOPBACK}:${target.port}${route}`, connections: options.connections, headers }
        log(`GET ${route}: ${target.name}, ${options.warmupS} s warm-up + ${options.durationS} s`)
        if (options.warmupS > 0) {
          await runLoad({ ...load, durationS: options.warmupS })
        }
        // Read after the warm-up: by then the service's pool has opened its connections.
        const groups = await pids()
        const before = groups.map(cpuSecondsOf)
        const result = await runLoad({ ...load, durationS: options.durationS })
        const cpuUsPerResponse = groups.map((group, index) => {
          const after = cpuSecondsOf(group)
          const start = before[index]
          return after === undefined || start === undefined || result.answers === 0 ? undefined : ((after - start) * 1e6) / result.answers
        })
        return { load: result, cpuUsPerResponse }
      }
      // Twin first, then the service, route by route: a noisy minute lands on both sides of a row.
      const helloSide = await measure(hello, () => Promise.resolve([[hello.pid]]))
      const ownSide = await measure(child, async () => [[child.pid], await database.backendPids()])
      rows.push({ service: service.name, route, own: ownSide, hello: helloSide })
    }
    return { rows, notes, pgVersion }
  } finally {
    await cleanUp()
    process.removeListener('SIGINT', onInterrupt)
    for (const child of processes) {
      if (child.logLines > 0) {
        notes.push(`${child.name} logged ${child.logLines} line(s) at LOG_LEVEL=warn during the run (the first ones are above the table).`)
      }
    }
  }
}
