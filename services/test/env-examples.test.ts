import { readFileSync } from 'node:fs'

import type { EnvVar } from '@storefront/service-kit'
import { describe, expect, it } from 'vitest'

import { bffEnvSchema } from '../bff/src/config.js'
import { cartEnvSchema } from '../cart/src/config.js'
import { favoritesEnvSchema } from '../favorites/src/config.js'
import { inventoryEnvSchema } from '../inventory/src/config.js'
import { productsEnvSchema } from '../products/src/config.js'

const schemas: Record<string, Record<string, EnvVar<unknown>>> = {
  products: productsEnvSchema,
  inventory: inventoryEnvSchema,
  favorites: favoritesEnvSchema,
  cart: cartEnvSchema,
  bff: bffEnvSchema,
}

/** Variable names set or shown commented out in a `.env.example`: `NAME=` or `# NAME=`. */
function listed(service: string): Set<string> {
  const text = readFileSync(new URL(`../${service}/.env.example`, import.meta.url), 'utf8')
  return new Set([...text.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!))
}

describe.each(Object.keys(schemas))('services/%s/.env.example', (service) => {
  it('lists every variable the service reads, and no other', () => {
    const names = Object.keys(schemas[service]!).sort()
    expect([...listed(service)].sort()).toEqual(names)
  })

  it('is a valid environment as written', async () => {
    const text = readFileSync(new URL(`../${service}/.env.example`, import.meta.url), 'utf8')
    const env = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]))
    const { readEnv } = await import('@storefront/service-kit')
    expect(() => readEnv(schemas[service]!, env)).not.toThrow()
  })
})
