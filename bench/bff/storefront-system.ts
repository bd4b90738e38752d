import type { RunningProcess } from '../lib/service-process.js'
import { BENCH_USER, type Visitor, signIn } from '../lib/sign-in.js'
import type { BenchPlan } from './bench-plan.js'
import { type Downstreams, type StorefrontFleet, originOf } from './storefront-fleet.js'

/** A BFF, its downstreams and the visitor its pages are requested for. */
export interface StorefrontSystem {
  readonly downstreams: Downstreams
  readonly bff: RunningProcess
  readonly bffOrigin: string
  readonly visitor: Visitor
}

/** What every scenario gets. */
export interface ScenarioContext {
  readonly fleet: StorefrontFleet
  readonly plan: BenchPlan
  /** The bare Fastify hello-world every target is measured beside, in the same run. */
  readonly hello: RunningProcess
  /** Aborted on Ctrl-C: a scenario stops between steps. */
  readonly signal: AbortSignal
  readonly log: (line: string) => void
}

/**
 * Starts the four services at their defaults (10 products) but for `env` (`FAULT_CONTROL`), at
 * once: each migrates and seeds its own database.
 */
export async function startDownstreams(fleet: StorefrontFleet, env: Readonly<Record<string, string>> = {}): Promise<Downstreams> {
  const [products, inventory, favorites, cart] = await Promise.all([
    fleet.startService('products', env),
    fleet.startService('inventory', env),
    fleet.startService('favorites', env),
    fleet.startService('cart', env),
  ])
  return { products, inventory, favorites, cart }
}

/** Starts a BFF over `downstreams` (at its defaults but for `env`) and signs in as {@link BENCH_USER}. */
export async function startSystem(fleet: StorefrontFleet, downstreams: Downstreams, label: string, env: Readonly<Record<string, string>> = {}): Promise<StorefrontSystem> {
  const bff = await fleet.startBff(downstreams, label, env)
  const bffOrigin = originOf(bff)
  return { downstreams, bff, bffOrigin, visitor: await signIn(bffOrigin, BENCH_USER) }
}

/**
 * The process ids of a system still running, BFF first: the CPU its pages cost (a stopped
 * downstream costs none, and has no CPU time left to read).
 */
export function pidsOf(fleet: StorefrontFleet, system: StorefrontSystem): number[] {
  const { products, inventory, favorites, cart } = system.downstreams
  return [system.bff, products, inventory, favorites, cart].filter((child) => fleet.isRunning(child)).map((child) => child.pid)
}
