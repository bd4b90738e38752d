import { createServer } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'

import { TEST_SERVICE_TOKEN } from '@storefront/service-kit/testing'
import type { FastifyInstance } from 'fastify'
import { afterEach } from 'vitest'

import { type BffDeps, buildApp } from '../src/app.js'
import { type BffEnv, readBffEnv } from '../src/config.js'
import { type Fakes, startFakes } from './fakes.js'

/** The budgets the tests run with: small, so timeouts are quick to reach. */
export const PRODUCTS_BUDGET_MS = 300
export const INVENTORY_BUDGET_MS = 300

/** A BFF wired to four fakes. */
export interface BffHarness {
  readonly app: FastifyInstance
  readonly env: BffEnv
  readonly fakes: Fakes
  /** Signs `userId` in (demo mode) and returns the headers that make a request theirs. */
  signIn(userId: number): Promise<Record<string, string>>
  close(): Promise<void>
}

/** The BFF without its catalogue and stock caches and without stale-if-error. */
const NO_CACHING: Readonly<Record<string, string>> = { CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0', STALE_IF_ERROR_MS: '0' }

/** Environment strings, or a function making them from the fakes (to list a fake among other replicas). */
export type EnvOverrides = Record<string, string> | ((fakes: Fakes) => Record<string, string>)

/** Starts the fakes and a BFF over them; `overrides` are environment strings. */
export async function startBff(given: EnvOverrides = {}, deps: BffDeps = {}): Promise<BffHarness> {
  const fakes = await startFakes()
  const overrides = typeof given === 'function' ? given(fakes) : given
  const env = readBffEnv({
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    LOG_LEVEL: 'silent',
    PRODUCTS_URL: fakes.products.url,
    INVENTORY_URL: fakes.inventory.url,
    FAVORITES_URL: fakes.favorites.url,
    CART_URL: fakes.cart.url,
    PRODUCTS_TIMEOUT_MS: String(PRODUCTS_BUDGET_MS),
    INVENTORY_TIMEOUT_MS: String(INVENTORY_BUDGET_MS),
    // Every page goes down to the fakes, so that each test sees its own downstream calls; the
    // caching tests turn the caches on themselves.
    ...NO_CACHING,
    ...overrides,
  })
  const app = buildApp(env, { logger: false, ...deps })
  await app.ready()
  return {
    app,
    env,
    fakes,
    signIn: async (userId) => {
      const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { user_id: userId } })
      if (response.statusCode !== 200) {
        throw new Error(`sign-in as ${userId} answered ${response.statusCode}: ${response.body}`)
      }
      return { authorization: `Bearer ${response.json<{ token: string }>().token}` }
    },
    close: async () => {
      await app.close()
      await fakes.close()
    },
  }
}

/**
 * The `start` of one test file: each call starts a BFF over fresh fakes, with `defaults` under the
 * call's own overrides, and whatever a test started is closed after it.
 */
export function bffPerTest(defaults: Record<string, string> = {}): (overrides?: EnvOverrides, deps?: BffDeps) => Promise<BffHarness> {
  const started: BffHarness[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((harness) => harness.close()))
  })
  return async (overrides = {}, deps = {}) => {
    const harness = await startBff((fakes) => ({ ...defaults, ...(typeof overrides === 'function' ? overrides(fakes) : overrides) }), deps)
    started.push(harness)
    return harness
  }
}

/**
 * One `set-cookie` header as its cookie (`name=value`) and its attributes, keyed by lower-case name
 * (`true` for a flag such as `httponly`), so a test can check them in whatever order they come.
 */
export function parseSetCookie(header: unknown): { cookie: string; attributes: Record<string, string | true> } {
  const [cookie = '', ...parts] = String(header).split(';').map((part) => part.trim())
  const attributes: Record<string, string | true> = {}
  for (const part of parts) {
    const eq = part.indexOf('=')
    attributes[(eq === -1 ? part : part.slice(0, eq)).toLowerCase()] = eq === -1 ? true : part.slice(eq + 1)
  }
  return { cookie, attributes }
}

/** The `set-cookie` line of the cookie `name` in an answer, or `''` when it sets none. */
export function setCookie(response: { readonly headers: Readonly<Record<string, unknown>> }, name: string): string {
  const lines = [response.headers['set-cookie']].flat().filter((line): line is string => typeof line === 'string')
  return lines.find((line) => line.startsWith(`${name}=`)) ?? ''
}

/** An origin where nothing listens: a port taken from the OS and released again. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  if (address === null || typeof address === 'string') {
    throw new Error('no port')
  }
  return `http://127.0.0.1:${address.port}`
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually(check: () => boolean, timeoutMs = 1000): Promise<boolean> {
  const until = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > until) {
      return false
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

/** The budgets of a production BFF (the contract's defaults), as environment overrides. */
export const PRODUCTION_BUDGETS: Readonly<Record<string, string>> = { PRODUCTS_TIMEOUT_MS: '1000', INVENTORY_TIMEOUT_MS: '1000' }

/** How often the event-loop delay is sampled while {@link timed} runs, in ms. */
const LAG_RESOLUTION_MS = 5

/**
 * Runs `work` and returns its result with the time it took, in ms of the monotonic clock, and
 * `lagMs`: how late this process's timers fired meanwhile at worst (the longest event-loop delay
 * past the sampling interval). On a starved machine every timer, the BFF's included, fires that
 * much late, so an upper bound on `elapsedMs` may grant it; a BFF that waits too long does not
 * raise it.
 */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; elapsedMs: number; startedAt: number; lagMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
  histogram.enable()
  const startedAt = performance.now()
  try {
    const value = await work()
    const elapsedMs = performance.now() - startedAt
    return { value, elapsedMs, startedAt, lagMs: Math.max(0, histogram.max / 1e6 - LAG_RESOLUTION_MS) }
  } finally {
    histogram.disable()
  }
}

/** Makes `app` listen on an ephemeral loopback port; returns its origin. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('the app is not listening on a TCP port')
  }
  return `http://127.0.0.1:${address.port}`
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError('median of nothing')
  }
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Polls `check` until it holds; resolves with the ms it took, or `undefined` once `timeoutMs` passed. */
export async function timeUntil(check: () => boolean, timeoutMs = 1000): Promise<number | undefined> {
  const startedAt = performance.now()
  while (!check()) {
    if (performance.now() - startedAt > timeoutMs) {
      return undefined
    }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return performance.now() - startedAt
}
