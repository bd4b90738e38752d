import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { STOREFRONT_SERVICES } from '@storefront/service-kit/embedded'
import { waitReady } from '@storefront/service-kit/processes'

import { ChildProcessSupervisor } from './child-process-supervisor.js'
import { EmbeddedDatabase } from './embedded-database.js'
import { createLogLineFormatter } from './log-line-formatter.js'
import { formatPrefix } from './log-prefix.js'
import { MAX_REPLICAS, planSystem } from './system-plan.js'

const USAGE = `Usage: node tools/launcher/dist/main.js [--chaos] [--base-port N] [--replicas R] [--data-dir DIR] [--json]

Starts the embedded PostgreSQL server (DIR/postgres, default <repo>/.data/postgres), then products,
inventory, favorites and cart on N..N+3 (default 8000) and, once they are ready, the BFF on N+1000,
supervised. PRODUCTS_DATABASE_URL (and INVENTORY_, FAVORITES_, CART_) select another PostgreSQL
server for a service; each other service gets a database and role of its own on the embedded one.
  --chaos         inventory answers after a random 0..5000 ms (FAULT_DELAY_MS=0-5000)
  --base-port N   move every port (tests use this to avoid a running system)
  --replicas R    run R processes of each service (1..${MAX_REPLICAS}, default 1), the next ones on the
                  service's port plus 10, 20, … (products 8000 and 8010, inventory 8001 and 8011, …),
                  all on the service's one database; the BFF balances over them
  --data-dir DIR  where the embedded server keeps its data (DIR/postgres)
  --json          show the processes' logs as the JSON lines they write, also on a terminal
                  (on a terminal they are shown human-readable by default; piped or redirected,
                  they are always JSON)`

const READY_TIMEOUT_MS = 60_000
/** How often readiness is asked while starting: the BFF waits on it, so every poll missed is start-up time. */
const READY_POLL_MS = 50
const STOP_GRACE_MS = 15_000

/** tools/launcher/dist/main.js → the repo root. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** Parses the command line; throws with a message on anything unknown or malformed. */
function readArguments(argv: string[]): { chaos: boolean; basePort: number; replicas: number; dataDir: string | undefined; json: boolean; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      chaos: { type: 'boolean', default: false },
      'base-port': { type: 'string' },
      replicas: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const basePort = values['base-port'] === undefined ? 8000 : Number(values['base-port'])
  // The BFF listens 1000 above the base, so the base must leave room for it.
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_535 - 1000) {
    throw new Error(`--base-port must be an integer from 1024 to ${65_535 - 1000} (got ${values['base-port'] ?? ''})`)
  }
  const replicas = values.replicas === undefined ? 1 : Number(values.replicas)
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new Error(`--replicas must be a whole number from 1 to ${MAX_REPLICAS} (got ${values.replicas ?? ''})`)
  }
  const dataDir = values['data-dir'] === undefined ? undefined : resolve(values['data-dir'])
  return { chaos: values.chaos, basePort, replicas, dataDir, json: values.json, help: values.help }
}

const colour = process.stdout.isTTY
const launcherPrefix = formatPrefix('launcher', 'launcher'.length, 5, colour)
const log = (message: string): void => {
  process.stdout.write(`${launcherPrefix}${message}\n`)
}

let args: ReturnType<typeof readArguments>
try {
  args = readArguments(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`)
  // eslint-disable-next-line n/no-process-exit -- bad usage: nothing was started
  process.exit(2)
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`)
  // eslint-disable-next-line n/no-process-exit -- help only
  process.exit(0)
}

/** Everything the launcher keeps on disk: the embedded server's data and the children's compile cache. */
const dataRoot = args.dataDir ?? join(repoRoot, '.data')

const planOptions = {
  repoRoot,
  env: process.env,
  serviceToken: randomBytes(24).toString('hex'),
  authSecret: randomBytes(32).toString('hex'),
  basePort: args.basePort,
  replicas: args.replicas,
  chaos: args.chaos,
  compileCacheDir: join(dataRoot, 'compile-cache'),
}
let plans = planSystem(planOptions)

const missing = plans.filter((p) => !existsSync(p.script))
if (missing.length > 0) {
  process.stderr.write(`Not built: ${missing.map((p) => p.script).join(', ')}\nRun \`npm run build\` first.\n`)
  // eslint-disable-next-line n/no-process-exit -- nothing was started
  process.exit(1)
}

/** Every service on a server of its own (`<SERVICE>_DATABASE_URL`): the embedded one is not needed. */
const allExternal = STOREFRONT_SERVICES.every((name) => (process.env[`${name.toUpperCase()}_DATABASE_URL`] ?? '') !== '')
const database = allExternal ? undefined : new EmbeddedDatabase({
  dataDir: join(dataRoot, 'postgres'),
  // Beside the services' ports when they are moved, so two systems never share a server.
  ...(args.basePort === 8000 ? {} : { port: args.basePort + 4 }),
  log,
  onGiveUp: (reason) => {
    log(reason)
    void shutdown(1)
  },
})

let shuttingDown = false
const readyWait = new AbortController()

const supervisor = new ChildProcessSupervisor({
  plans,
  cwd: repoRoot,
  colour,
  // Readable on a terminal; anything else (CI, a pipe, a file) gets the JSON, for tools to parse.
  formatLine: createLogLineFormatter({ pretty: colour && !args.json, colour }),
  write: (line) => process.stdout.write(line),
  log,
  onGiveUp: () => {
    void shutdown(1)
  },
})

/** Stops every child (SIGTERM, then SIGKILL after the grace period) and exits with `code`. */
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) {
    return
  }
  shuttingDown = true
  readyWait.abort()
  log('stopping every process…')
  await supervisor.stop(STOP_GRACE_MS)
  await database?.stop().catch((error: unknown) => { log(`postgres: ${(error as Error).message}`) })
  log(`all stopped; exit ${code}`)
  // eslint-disable-next-line n/no-process-exit -- children are gone; a pending probe must not hold the exit
  process.exit(code)
}

// Whatever ends the launcher (an uncaught error included), no child may outlive it.
process.on('exit', () => {
  supervisor.killAllNow()
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      log(`${signal} again: still waiting for the children (SIGKILL after ${STOP_GRACE_MS / 1000} s)`)
      return
    }
    log(`${signal} received`)
    void shutdown(0)
  })
}

/**
 * Services first, the BFF once every service answers ready: a BFF started earlier would send its
 * first pages to services still starting, and the failures would open its breakers for seconds.
 */
async function startInOrder(): Promise<void> {
  if (database !== undefined) {
    try {
      plans = planSystem({ ...planOptions, databaseUrls: await database.start() })
      supervisor.replan(plans)
    } catch (error) {
      log(`postgres: could not start: ${(error as Error).message}`)
      await shutdown(1)
      return
    }
  }
  const services = plans.filter((p) => p.service !== 'bff')
  const bff = plans.find((p) => p.service === 'bff')!
  supervisor.start(services.map((p) => p.name))
  const startedAt = Date.now()
  // Aborted: a signal or a give-up is already shutting down. A function, so that each read is fresh.
  const stopping = (): boolean => readyWait.signal.aborted
  const servicesNotReady = await waitReady(services, { intervalMs: READY_POLL_MS, timeoutMs: READY_TIMEOUT_MS, signal: readyWait.signal })
  if (stopping()) {
    return
  }
  if (servicesNotReady.length > 0) {
    log(`not ready within ${READY_TIMEOUT_MS / 1000} s (GET /health/ready): ${servicesNotReady.join(', ')}`)
    await shutdown(1)
    return
  }
  log(`services ready: ${services.map((p) => p.name).join(', ')}; starting the BFF`)
  supervisor.start([bff.name])
  const bffNotReady = await waitReady([bff], { intervalMs: READY_POLL_MS, timeoutMs: Math.max(1000, READY_TIMEOUT_MS - (Date.now() - startedAt)), signal: readyWait.signal })
  if (stopping()) {
    return
  }
  if (bffNotReady.length > 0) {
    log(`not ready within ${READY_TIMEOUT_MS / 1000} s (GET /health/ready): bff`)
    await shutdown(1)
    return
  }
  log(`Storefront is up: ${bff.origin}/products/all`)
  for (const plan of plans) {
    log(`  ${plan.name.padEnd(9)} ${plan.origin}`)
  }
}

await startInOrder()
