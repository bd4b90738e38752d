import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { STOREFRONT_SERVICES } from '@storefront/service-kit/embedded'
import { afterAll, describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const SERVICES = [...STOREFRONT_SERVICES, 'bff']
// The launcher runs from source (through tsx), but the services it starts must be built.
const built = SERVICES.every((name) => existsSync(join(repoRoot, 'services', name, 'dist', 'server.js')))

const BASE = 18_500
const BFF = `http://127.0.0.1:${BASE + 1000}`
const FAVORITES = `http://127.0.0.1:${BASE + 2}`

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A launcher started from source for one test, its output, and its removal (nothing left running). */
interface Launched {
  readonly proc: ChildProcess
  readonly exited: Promise<number | null>
  output(): string
  /** Pids of every child it reported starting. */
  pids(): number[]
  /** Resolves once `pattern` appears in the output at least `count` times. */
  waitForOutput(pattern: RegExp, timeoutMs: number, count?: number): Promise<void>
  /** Kills whatever is left of it and its children, and removes its data. */
  remove(): void
}

function launch(args: readonly string[]): Launched {
  const dataDir = mkdtempSync(join(tmpdir(), 'sf-launcher-'))
  let output = ''
  const proc = spawn(process.execPath, ['--import', 'tsx', main, ...args, '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => { resolve(code) }))
  const pids = (): number[] => [...output.matchAll(/started [\w-]+ \(pid (\d+)\)/g)].map((m) => Number(m[1]))
  return {
    proc,
    exited,
    output: () => output,
    pids,
    waitForOutput: async (pattern, timeoutMs, count = 1) => {
      const deadline = Date.now() + timeoutMs
      const global = new RegExp(pattern.source, 'g')
      while ([...output.matchAll(global)].length < count) {
        if (Date.now() > deadline) {
          throw new Error(`no ${pattern} (x${count}) within ${timeoutMs} ms; output:\n${output.slice(-3000)}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    remove: () => {
      // A failed assertion must not leave the system running.
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL')
      }
      for (const pid of pids().filter(alive)) {
        process.kill(pid, 'SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Signs in as user 1 through the BFF at `bff`: the cookie and the bearer token. */
async function signIn(bff: string): Promise<{ cookie: string; token: string }> {
  const login = await fetch(`${bff}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: 1 }) })
  expect(login.status).toBe(200)
  const cookie = /^session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0]
  expect(cookie).toBeDefined()
  const { token } = (await login.json()) as { token: string }
  return { cookie: cookie!, token }
}

/** SIGINT, then checks the launcher exits 0 within 20 s and no child it started is left. */
async function stopCleanly(launched: Launched): Promise<void> {
  const started = launched.pids()
  launched.proc.kill('SIGINT')
  const code = await Promise.race([launched.exited, new Promise((resolve) => setTimeout(() => { resolve('timeout') }, 20_000))])
  expect(code).toBe(0)
  expect(launched.output()).toMatch(/all stopped; exit 0/)
  expect(started.filter(alive)).toEqual([])
}

describe('launcher, end to end', () => {
  let launched: Launched | undefined

  afterAll(() => {
    launched?.remove()
  })

  it.skipIf(!built)(built ? 'starts everything, restarts a killed service, and stops cleanly on SIGINT' : 'SKIPPED: services/*/dist/server.js missing, run `npm run build` first', async () => {
    launched = launch(['--base-port', String(BASE)])
    const { waitForOutput } = launched
    await waitForOutput(/Storefront is up: http:\/\/127\.0\.0\.1:19500\/products\/all/, 30_000)
    let output = launched.output()
    // The BFF starts only once every service is ready, so no early page can open a breaker.
    const servicesReady = output.search(/services ready: products, inventory, favorites, cart/)
    expect(servicesReady).toBeGreaterThan(-1)
    expect(output.search(/started bff \(pid \d+\)/)).toBeGreaterThan(servicesReady)
    for (const name of STOREFRONT_SERVICES) {
      expect(output.search(new RegExp(`started ${name} \\(pid \\d+\\)`))).toBeLessThan(servicesReady)
    }
    expect(output.search(/Storefront is up/)).toBeGreaterThan(output.search(/started bff/))
    expect(output).not.toMatch(/\u001b\[/) // not a terminal: no colour codes
    expect(output).toMatch(/^products +\| /m) // child output is prefixed

    // A shopper signs in as user 1 and sees the whole page of the seed data.
    const { cookie, token } = await signIn(BFF)
    const page = await fetch(`${BFF}/products/all`, { headers: { cookie } })
    expect(page.status).toBe(200)
    const breakers = (await (await fetch(`${BFF}/ops/breakers`)).json()) as { breakers: Record<string, { state: string; stats: { failures: number } }> }
    for (const name of STOREFRONT_SERVICES) {
      expect({ name, ...breakers.breakers[name] }).toMatchObject({ name, state: 'closed', stats: { failures: 0 } })
    }
    const body = (await page.json()) as { cart_items: number; favorite_items: number; degraded: string[]; products: { product_id: number; product_name: string; inventory: number | null }[] }
    expect(body).toMatchObject({ cart_items: 3, favorite_items: 3, degraded: [], degraded_reasons: {} })
    expect(body.products.map((product) => product.product_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    for (const product of body.products) {
      expect(product.product_name).toMatch(/\S/)
      expect(product.inventory).toBeGreaterThanOrEqual(0)
      expect(product.inventory).toBeLessThanOrEqual(100)
    }
    // A write through the BFF reaches the cart service and shows on the next page.
    const added = await fetch(`${BFF}/cart/items`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ product_id: 5 }) })
    expect(added.status).toBe(201)
    const after = (await (await fetch(`${BFF}/products/all`, { headers: { authorization: `Bearer ${token}` } })).json()) as { cart_items: number }
    expect(after.cart_items).toBe(4)

    // Kill favorites behind the launcher's back: it must come back on its own.
    const firstFavorites = Number(/started favorites \(pid (\d+)\)/.exec(output)![1])
    process.kill(firstFavorites, 'SIGKILL')
    await waitForOutput(/favorites exited unexpectedly \(signal SIGKILL\).*restarting in 1000 ms/, 5000)
    await waitForOutput(/started favorites \(pid \d+\)/, 5000, 2)
    output = launched.output()
    const favoritesPids = [...output.matchAll(/started favorites \(pid (\d+)\)/g)].map((m) => Number(m[1]))
    expect(favoritesPids[1]).not.toBe(firstFavorites)
    let ready = false
    for (const deadline = Date.now() + 15_000; !ready && Date.now() < deadline;) {
      ready = await fetch(`${FAVORITES}/health/ready`).then((r) => r.status === 200, () => false)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(ready).toBe(true)

    expect(launched.pids()).toHaveLength(6)
    expect(output).toMatch(/postgres: started on 127\.0\.0\.1:18504/)
    await stopCleanly(launched)
  }, 60_000)
})

describe('launcher with --replicas 2, end to end', () => {
  const base = 18_600
  const bffUrl = `http://127.0.0.1:${base + 1000}`
  let launched: Launched | undefined

  afterAll(() => {
    launched?.remove()
  })

  it.skipIf(!built)(built ? 'runs two of each service on the same database, and the BFF keeps every page whole when one dies' : 'SKIPPED: services/*/dist/server.js missing, run `npm run build` first', async () => {
    launched = launch(['--base-port', String(base), '--replicas', '2'])
    await launched.waitForOutput(/Storefront is up/, 60_000)
    const output = launched.output()
    expect(output).toMatch(/services ready: products-1, products-2, inventory-1, inventory-2, favorites-1, favorites-2, cart-1, cart-2; starting the BFF/)
    expect(output).toMatch(/^inventory-2 +\| /m)

    const breakers = (await (await fetch(`${bffUrl}/ops/breakers`)).json()) as { breakers: Record<string, { replicas: { origin: string; state: string }[] }> }
    STOREFRONT_SERVICES.forEach((name, index) => {
      expect(breakers.breakers[name]!.replicas).toMatchObject([
        { origin: `http://127.0.0.1:${base + index}`, state: 'healthy' },
        { origin: `http://127.0.0.1:${base + index + 10}`, state: 'healthy' },
      ])
    })

    // Both cart replicas read the one cart database: user 1's three seeded items, whichever answers.
    const { token } = await signIn(bffUrl)
    const headers = { authorization: `Bearer ${token}` }
    const pages = async (count: number): Promise<{ status: number; degraded: string[]; cart_items: number }[]> => {
      const answers = []
      for (let index = 0; index < count; index++) {
        const response = await fetch(`${bffUrl}/products/all`, { headers })
        answers.push({ status: response.status, ...((await response.json()) as { degraded: string[]; cart_items: number }) })
      }
      return answers
    }
    expect((await pages(4)).map((page) => [page.status, page.degraded, page.cart_items])).toEqual(Array.from({ length: 4 }, () => [200, [], 3]))

    const inventory = Number(/started inventory-1 \(pid (\d+)\)/.exec(output)![1])
    process.kill(inventory, 'SIGKILL')
    expect((await pages(20)).filter((page) => page.status !== 200 || page.degraded.length > 0)).toEqual([])
    await launched.waitForOutput(/inventory-1 exited unexpectedly \(signal SIGKILL\)/, 5000)
    await launched.waitForOutput(/started inventory-1 \(pid \d+\)/, 5000, 2)

    expect(launched.output()).toMatch(/postgres: started on 127\.0\.0\.1:18604/)
    expect(launched.pids()).toHaveLength(10)
    await stopCleanly(launched)
  }, 90_000)
})
