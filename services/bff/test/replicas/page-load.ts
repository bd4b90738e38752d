import type { StorefrontService } from '@storefront/service-kit'
import { TEST_SERVICE_TOKEN } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'

import { buildApp } from '../../src/app.js'
import { readBffEnv } from '../../src/config.js'
import type { ServiceReplicas } from './service-replicas.js'

/** One page as a shopper got it. */
export interface PageResult {
  /** `performance.now()` when it was asked for, and when it was answered. */
  readonly startedAt: number
  readonly endedAt: number
  readonly status: number
  /** What the page says is missing; empty for a whole page. */
  readonly degraded: readonly string[]
}

/** A page that is not whole: an error status or a part missing. */
export function isFailed(page: PageResult): boolean {
  return page.status !== 200 || page.degraded.length > 0
}

/**
 * A BFF in this process over `replicas`, with production settings except that nothing is cached
 * (every page reaches all four services, so no failure hides behind the caches) and no rate limit
 * (every page comes from one address). Signed in as user 1, so the cart and favorites are asked too.
 */
export async function startBffOver(replicas: ServiceReplicas, only: Partial<Record<StorefrontService, string>> = {}): Promise<{ app: FastifyInstance; headers: Record<string, string> }> {
  const url = (service: StorefrontService): string => only[service] ?? replicas.urls(service)
  const app = buildApp(readBffEnv({
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    LOG_LEVEL: 'silent',
    PRODUCTS_URL: url('products'),
    INVENTORY_URL: url('inventory'),
    FAVORITES_URL: url('favorites'),
    CART_URL: url('cart'),
    CATALOGUE_TTL_MS: '0',
    STOCK_TTL_MS: '0',
    STALE_IF_ERROR_MS: '0',
    RATE_LIMIT_PER_MINUTE: '0',
  }), { logger: false })
  await app.ready()
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: 1 } })
  return { app, headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` } }
}

/** The pause of each shopper between two pages, in ms: a steady load that leaves the services' processes some of the machine. */
const PAUSE_MS = 5

/**
 * Shoppers asking for `GET /products/all` one page after another (with a pause of 5 ms),
 * `concurrency` at a time, until stopped: every page is recorded with when it was asked for and
 * what it held.
 */
export class PageLoad {
  readonly pages: PageResult[] = []
  #running = true
  readonly #loops: Promise<void>[]

  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string>,
    concurrency: number,
  ) {
    this.#loops = Array.from({ length: concurrency }, () => this.#loop())
  }

  /** Stops asking and resolves once the pages in flight are in. */
  async stop(): Promise<PageResult[]> {
    this.#running = false
    await Promise.all(this.#loops)
    return this.pages
  }

  /** Pages asked for from `from` (and before `to`), by `performance.now()`. */
  askedBetween(from: number, to = Number.POSITIVE_INFINITY): PageResult[] {
    return this.pages.filter((page) => page.startedAt >= from && page.startedAt < to)
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const startedAt = performance.now()
      const response = await this.app.inject({ method: 'GET', url: '/products/all', headers: this.headers })
      const degraded = response.statusCode === 200 ? response.json<{ degraded: string[] }>().degraded : []
      this.pages.push({ startedAt, endedAt: performance.now(), status: response.statusCode, degraded })
      await sleep(PAUSE_MS)
    }
  }
}

/** The state of each replica of `downstream` as `/ops/breakers` shows it. */
export async function replicaStates(app: FastifyInstance, downstream: StorefrontService): Promise<string[]> {
  const breakers = (await app.inject({ method: 'GET', url: '/ops/breakers' })).json<{ breakers: Record<string, { replicas: { state: string }[] }> }>().breakers
  return breakers[downstream]!.replicas.map((replica) => replica.state)
}

/** The breaker state of `downstream`. */
export async function breakerState(app: FastifyInstance, downstream: StorefrontService): Promise<string> {
  const breakers = (await app.inject({ method: 'GET', url: '/ops/breakers' })).json<{ breakers: Record<string, { state: string }> }>().breakers
  return breakers[downstream]!.state
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
