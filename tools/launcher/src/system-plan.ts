import { join } from 'node:path'

import { STOREFRONT_SERVICES, type StorefrontService } from '@storefront/service-kit/embedded'

/** Everything needed to start and probe one child process. */
export interface ProcessPlan {
  /** Short name, unique in the plan, used as the log prefix: the service's, or `inventory-2` for a replica. */
  readonly name: string
  /** What it runs. */
  readonly service: StorefrontService | 'bff'
  /** Absolute path of the script run with `process.execPath`. */
  readonly script: string
  readonly port: number
  /** Origin the process listens on, e.g. `http://127.0.0.1:8000`. */
  readonly origin: string
  /** The complete environment of the child (inherited variables included). */
  readonly env: Readonly<Record<string, string>>
}

/** What {@link planSystem} needs; all of it explicit so the plan is a pure function. */
export interface PlanOptions {
  /** Root of the monorepo: scripts and the default data directory are found from here. */
  readonly repoRoot: string
  /** The launcher's own environment: inherited by every child, and the source of `*_DATABASE_URL`. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Shared by every process, so the BFF's calls are accepted by the services. */
  readonly serviceToken: string
  /**
   * Signs the BFF's demo sessions: one per launcher run, so a BFF restarted after a crash still
   * accepts the sessions it issued. Ignored when the environment sets `AUTH_SECRET`.
   */
  readonly authSecret: string
  /** Services listen on basePort..basePort+3, the BFF on basePort+1000. Default 8000. */
  readonly basePort?: number
  /**
   * Processes per service, each on the service's port plus 10 per replica (products 8000 and 8010,
   * inventory 8001 and 8011, …), all on the service's one database; the BFF is given every
   * replica's origin. Default 1.
   */
  readonly replicas?: number
  /**
   * Each service's `DATABASE_URL` on the embedded PostgreSQL server the launcher runs; a
   * `<SERVICE>_DATABASE_URL` in the environment wins over it.
   */
  readonly databaseUrls?: Partial<Record<StorefrontService, string>>
  /** Adds the contract's unstable inventory (`FAULT_DELAY_MS=0-5000`, docs/spec/api.md). */
  readonly chaos?: boolean
  /**
   * Where every child keeps V8's compiled code (`NODE_COMPILE_CACHE`), so that a second start
   * skips compiling the same modules again. Unset: no cache, unless the environment sets one.
   */
  readonly compileCacheDir?: string
}

/** Where every process listens. */
const HOST = '127.0.0.1'

/**
 * Variables the launcher decides itself. They are removed from the inherited environment so that,
 * say, a `DATABASE_URL` or `PORT` exported in the shell cannot make every service share one
 * database or one port.
 */
const OWNED_VARIABLES = [
  'HOST', 'PORT', 'DATABASE_URL', 'DATA_DIR', 'SERVICE_TOKEN', 'ALLOW_INSECURE_LOOPBACK', 'FAULT_DELAY_MS',
  'PRODUCTS_URL', 'INVENTORY_URL', 'FAVORITES_URL', 'CART_URL',
]

/** The launcher's environment without the variables it owns and without unset entries. */
function inherited(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !OWNED_VARIABLES.includes(key)) {
      out[key] = value
    }
  }
  return out
}

/** The most replicas of a service: their ports, 10 apart, stay below the BFF's (basePort + 1000) and clear of each other. */
export const MAX_REPLICAS = 9

/**
 * Decides which processes run, with which environment: the four services (each `replicas` times),
 * then the BFF pointed at them. Pure (no I/O, no randomness), so every rule here is unit-tested.
 */
export function planSystem(options: PlanOptions): ProcessPlan[] {
  const basePort = options.basePort ?? 8000
  const base = inherited(options.env)
  if (options.compileCacheDir !== undefined && base.NODE_COMPILE_CACHE === undefined) {
    base.NODE_COMPILE_CACHE = options.compileCacheDir
  }
  const origin = (port: number): string => `http://${HOST}:${port}`
  const replicas = options.replicas ?? 1
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new RangeError(`replicas must be a whole number from 1 to ${MAX_REPLICAS}, got ${replicas}`)
  }

  const services = STOREFRONT_SERVICES.flatMap((name, index) => Array.from({ length: replicas }, (_, replica): ProcessPlan => {
    const port = basePort + index + 10 * replica
    const env: Record<string, string> = {
      ...base,
      HOST,
      PORT: String(port),
      SERVICE_TOKEN: options.serviceToken,
      // A laptop run is for watching the system: the dashboard may turn faults on and off.
      FAULT_CONTROL: base.FAULT_CONTROL ?? 'true',
      // A laptop run shows the contract's seed data: carts, favorites and a catalogue.
      SEED_DEMO_DATA: base.SEED_DEMO_DATA ?? 'true',
    }
    const databaseUrl = options.env[`${name.toUpperCase()}_DATABASE_URL`]
    if (databaseUrl !== undefined && databaseUrl !== '') {
      env.DATABASE_URL = databaseUrl
    } else if (options.databaseUrls?.[name] !== undefined) {
      env.DATABASE_URL = options.databaseUrls[name]
    }
    if (options.chaos === true && name === 'inventory') {
      env.FAULT_DELAY_MS = '0-5000'
    }
    return {
      name: replicas === 1 ? name : `${name}-${replica + 1}`,
      service: name,
      script: join(options.repoRoot, 'services', name, 'dist', 'server.js'),
      port,
      origin: origin(port),
      env,
    }
  }))

  const bffPort = basePort + 1000
  const urlOf = (name: StorefrontService): string => services.filter((s) => s.service === name).map((s) => s.origin).join(',')
  const bff: ProcessPlan = {
    name: 'bff',
    service: 'bff',
    script: join(options.repoRoot, 'services', 'bff', 'dist', 'server.js'),
    port: bffPort,
    origin: origin(bffPort),
    env: {
      ...base,
      HOST,
      PORT: String(bffPort),
      SERVICE_TOKEN: options.serviceToken,
      AUTH_SECRET: base.AUTH_SECRET ?? options.authSecret,
      PRODUCTS_URL: urlOf('products'),
      INVENTORY_URL: urlOf('inventory'),
      FAVORITES_URL: urlOf('favorites'),
      CART_URL: urlOf('cart'),
    },
  }
  return [...services, bff]
}
