import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { type PlanOptions, planSystem } from '../src/system-plan.js'

const repoRoot = '/repo'
const token = 'a'.repeat(48)
const plan = (over: Partial<PlanOptions> = {}) => planSystem({ repoRoot, env: { PATH: '/bin' }, serviceToken: token, authSecret: 'a'.repeat(64), ...over })
const byName = (plans: ReturnType<typeof planSystem>, name: string) => {
  const found = plans.find((p) => p.name === name)
  if (found === undefined) {
    throw new Error(`no ${name} in plan`)
  }
  return found
}

describe('planSystem', () => {
  it('plans the four services then the bff, on the default ports, each with its own script', () => {
    const plans = plan()
    expect(plans.map((p) => [p.name, p.port])).toEqual([
      ['products', 8000], ['inventory', 8001], ['favorites', 8002], ['cart', 8003], ['bff', 9000],
    ])
    for (const p of plans) {
      expect(p.script).toBe(join(repoRoot, 'services', p.name, 'dist', 'server.js'))
      expect(p.env.HOST).toBe('127.0.0.1')
      expect(p.env.PORT).toBe(String(p.port))
      expect(p.origin).toBe(`http://127.0.0.1:${p.port}`)
    }
  })

  it('gives every process the same service token and keeps inherited variables like PATH', () => {
    for (const p of plan()) {
      expect(p.env.SERVICE_TOKEN).toBe(token)
      expect(p.env.PATH).toBe('/bin')
      expect(p.env.ALLOW_INSECURE_LOOPBACK).toBeUndefined()
    }
  })

  it('gives the bff one session secret per run, unless the environment sets AUTH_SECRET', () => {
    expect(byName(plan(), 'bff').env.AUTH_SECRET).toBe('a'.repeat(64))
    expect(byName(plan(), 'products').env.AUTH_SECRET).toBeUndefined()
    const own = 'b'.repeat(40)
    expect(byName(plan({ env: { AUTH_SECRET: own } }), 'bff').env.AUTH_SECRET).toBe(own)
  })

  it('lets the dashboard change the services\' faults, unless the environment says otherwise', () => {
    expect(byName(plan(), 'inventory').env.FAULT_CONTROL).toBe('true')
    expect(byName(plan({ env: { FAULT_CONTROL: 'false' } }), 'inventory').env.FAULT_CONTROL).toBe('false')
  })

  it('gives every process the compile cache directory, unless the environment sets NODE_COMPILE_CACHE', () => {
    for (const p of plan({ compileCacheDir: '/data/compile-cache' })) {
      expect(p.env.NODE_COMPILE_CACHE).toBe('/data/compile-cache')
    }
    for (const p of plan({ compileCacheDir: '/data/compile-cache', env: { NODE_COMPILE_CACHE: '/mine' } })) {
      expect(p.env.NODE_COMPILE_CACHE).toBe('/mine')
    }
    for (const p of plan()) {
      expect(p.env.NODE_COMPILE_CACHE).toBeUndefined()
    }
  })

  it('points the bff at the four services', () => {
    const bff = byName(plan({ basePort: 18_500 }), 'bff')
    expect(bff.port).toBe(19_500)
    expect(bff.env).toMatchObject({
      PRODUCTS_URL: 'http://127.0.0.1:18500',
      INVENTORY_URL: 'http://127.0.0.1:18501',
      FAVORITES_URL: 'http://127.0.0.1:18502',
      CART_URL: 'http://127.0.0.1:18503',
    })
  })

  it('moves every port with basePort', () => {
    expect(plan({ basePort: 20_000 }).map((p) => p.port)).toEqual([20_000, 20_001, 20_002, 20_003, 21_000])
  })

  it('gives each service its database on the embedded server, unless <SERVICE>_DATABASE_URL names another', () => {
    const plans = plan({
      databaseUrls: { products: 'postgres://products@127.0.0.1:54320/products', cart: 'postgres://cart@127.0.0.1:54320/cart' },
      env: { CART_DATABASE_URL: 'postgres://p@h/cart' },
    })
    expect(byName(plans, 'products').env.DATABASE_URL).toBe('postgres://products@127.0.0.1:54320/products')
    expect(byName(plans, 'cart').env.DATABASE_URL).toBe('postgres://p@h/cart')
    expect(byName(plans, 'bff').env.DATABASE_URL).toBeUndefined()
  })

  it('adds FAULT_DELAY_MS=0-5000 to inventory only, and only with chaos', () => {
    expect(plan().some((p) => 'FAULT_DELAY_MS' in p.env)).toBe(false)
    const chaotic = plan({ chaos: true })
    expect(chaotic.filter((p) => 'FAULT_DELAY_MS' in p.env).map((p) => [p.name, p.env.FAULT_DELAY_MS])).toEqual([['inventory', '0-5000']])
  })

  it('maps <SERVICE>_DATABASE_URL to that service\'s DATABASE_URL, and nothing else gets one', () => {
    const plans = plan({
      env: {
        PRODUCTS_DATABASE_URL: 'postgres://p@h/products',
        CART_DATABASE_URL: 'postgres://p@h/cart',
        // A shell-wide DATABASE_URL must not make every service share one database.
        DATABASE_URL: 'postgres://p@h/shared',
      },
    })
    expect(plans.map((p) => [p.name, p.env.DATABASE_URL])).toEqual([
      ['products', 'postgres://p@h/products'],
      ['inventory', undefined],
      ['favorites', undefined],
      ['cart', 'postgres://p@h/cart'],
      ['bff', undefined],
    ])
  })

  it('runs each service replicas times, each replica 10 ports above the last, and gives the bff every origin', () => {
    const plans = plan({ replicas: 2, basePort: 18_500, databaseUrls: { inventory: 'postgres://inventory@127.0.0.1:18504/inventory' } })
    expect(plans.map((p) => [p.name, p.service, p.port])).toEqual([
      ['products-1', 'products', 18_500], ['products-2', 'products', 18_510],
      ['inventory-1', 'inventory', 18_501], ['inventory-2', 'inventory', 18_511],
      ['favorites-1', 'favorites', 18_502], ['favorites-2', 'favorites', 18_512],
      ['cart-1', 'cart', 18_503], ['cart-2', 'cart', 18_513],
      ['bff', 'bff', 19_500],
    ])
    // Both replicas of a service share its database.
    expect(byName(plans, 'inventory-1').env.DATABASE_URL).toBe('postgres://inventory@127.0.0.1:18504/inventory')
    expect(byName(plans, 'inventory-2').env.DATABASE_URL).toBe('postgres://inventory@127.0.0.1:18504/inventory')
    expect(byName(plans, 'bff').env).toMatchObject({
      PRODUCTS_URL: 'http://127.0.0.1:18500,http://127.0.0.1:18510',
      INVENTORY_URL: 'http://127.0.0.1:18501,http://127.0.0.1:18511',
      FAVORITES_URL: 'http://127.0.0.1:18502,http://127.0.0.1:18512',
      CART_URL: 'http://127.0.0.1:18503,http://127.0.0.1:18513',
    })
  })

  it('keeps one process per service, named after it, by default', () => {
    expect(plan().map((p) => p.name)).toEqual(['products', 'inventory', 'favorites', 'cart', 'bff'])
    expect(plan({ replicas: 1 }).map((p) => p.name)).toEqual(['products', 'inventory', 'favorites', 'cart', 'bff'])
  })

  it.each([0, 10, 1.5])('refuses %s replicas', (replicas) => {
    expect(() => plan({ replicas })).toThrow(/replicas must be a whole number from 1 to 9/)
  })

  it('overrides variables the launcher owns when they are in its own environment', () => {
    const plans = plan({ env: { PORT: '1', HOST: '0.0.0.0', SERVICE_TOKEN: 'other', FAULT_DELAY_MS: '5-6', PRODUCTS_URL: 'http://x' } })
    const bff = byName(plans, 'bff')
    expect(bff.env.HOST).toBe('127.0.0.1')
    expect(bff.env.PORT).toBe('9000')
    expect(bff.env.SERVICE_TOKEN).toBe(token)
    expect(bff.env.PRODUCTS_URL).toBe('http://127.0.0.1:8000')
    expect(byName(plans, 'inventory').env.FAULT_DELAY_MS).toBeUndefined()
  })
})
