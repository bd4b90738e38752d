import { spawn } from 'node:child_process'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { EnvVar } from '@storefront/service-kit'
import { STOREFRONT_SERVICES } from '@storefront/service-kit'
import { afterEach, describe, expect, it } from 'vitest'

import { bffEnvSchema } from '../../services/bff/src/config.js'
import { cartEnvSchema } from '../../services/cart/src/config.js'
import { favoritesEnvSchema } from '../../services/favorites/src/config.js'
import { inventoryEnvSchema } from '../../services/inventory/src/config.js'
import { productsEnvSchema } from '../../services/products/src/config.js'

const schemas: Record<string, { readonly PORT: EnvVar<number> }> = {
  products: productsEnvSchema,
  inventory: inventoryEnvSchema,
  favorites: favoritesEnvSchema,
  cart: cartEnvSchema,
  bff: bffEnvSchema,
}

const script = (name: string): string => new URL(`../docker/${name}`, import.meta.url).pathname

/** Runs one of the image's scripts with only `env`, and reports how it ended and how long it took. */
function run(name: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, [script(name)], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve({ code, stderr, ms: performance.now() - started })
    })
  })
}

describe('the image scripts', () => {
  let server: Server | undefined

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
    server = undefined
  })

  /** A stand-in process answering /health/live with `status` on a free loopback port. */
  async function answering(status: number): Promise<number> {
    server = createServer((request, response) => {
      response.writeHead(request.url === '/health/live' ? status : 404).end()
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return (server.address() as AddressInfo).port
  }

  it('know every process by the name SERVICE takes, with the port its config defaults to', async () => {
    const { SERVICE_PORTS } = await import(new URL('../docker/service-ports.js', import.meta.url).href) as { SERVICE_PORTS: Record<string, number> }
    expect(Object.keys(SERVICE_PORTS)).toEqual([...STOREFRONT_SERVICES, 'bff'])
    for (const [service, port] of Object.entries(SERVICE_PORTS)) {
      expect(schemas[service]!.PORT.parse(undefined), service).toBe(port)
    }
  })

  it('refuse to start an unknown or missing SERVICE, with exit code 64 and the names allowed', async () => {
    expect(await run('entrypoint.js', { SERVICE: 'payments' })).toMatchObject({
      code: 64,
      stderr: 'SERVICE must be one of products, inventory, favorites, cart, bff (it is "payments")\n',
    })
    expect(await run('entrypoint.js', {})).toMatchObject({ code: 64, stderr: expect.stringContaining('(it is unset)') })
  })

  it('report healthy only on a 200 from /health/live, and end at once either way', async () => {
    const healthy = await run('healthcheck.js', { PORT: String(await answering(200)) })
    expect(healthy.code).toBe(0)
    expect(healthy.ms).toBeLessThan(1500)
    await new Promise((resolve) => server!.close(resolve))
    expect((await run('healthcheck.js', { PORT: String(await answering(503)) })).code).toBe(1)
  })

  it('report unhealthy when nothing listens, and when no port can be told', async () => {
    const port = await answering(200)
    await new Promise((resolve) => server!.close(resolve))
    server = undefined
    expect(await run('healthcheck.js', { PORT: String(port) })).toMatchObject({ code: 1, stderr: expect.stringContaining('ECONNREFUSED') })
    expect(await run('healthcheck.js', { SERVICE: 'payments' })).toMatchObject({ code: 1, stderr: 'healthcheck: no PORT, and SERVICE names no known process\n' })
  })
})
