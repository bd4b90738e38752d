import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

import { ConfigError } from '@storefront/service-kit'
import { describe, expect, it } from 'vitest'

import { inventoryEnvSchema, readInventoryEnv } from '../src/config.js'

describe('readInventoryEnv', () => {
  it('defaults to port 8001, the embedded server under <repository>/.data/postgres and 10 seeded products', () => {
    const env = readInventoryEnv({ ALLOW_INSECURE_LOOPBACK: 'true' })
    expect(env.PORT).toBe(8001)
    expect(env.DATA_DIR).toBe(fileURLToPath(new URL('../../../.data/postgres', import.meta.url)))
    expect(env.DATABASE_URL).toBeUndefined()
    expect(env.SEED_PRODUCTS).toBe(10)
    expect(Object.isFrozen(env)).toBe(true)
  })

  it.each(['-1', 'ten', '1.5', '1000001'])('refuses SEED_PRODUCTS=%s with a message naming it', (value) => {
    expect(() => readInventoryEnv({ SEED_PRODUCTS: value })).toThrow(ConfigError)
    expect(() => readInventoryEnv({ SEED_PRODUCTS: value })).toThrow(/^Invalid environment variable SEED_PRODUCTS: /)
  })
})

describe('.env.example', () => {
  it('documents every variable the service reads, with its doc string, and no other', async () => {
    const text = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
    const documented = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1])
    expect([...documented].sort()).toEqual(Object.keys(inventoryEnvSchema).sort())
    for (const [name, variable] of Object.entries(inventoryEnvSchema)) {
      expect(text, name).toContain(variable.doc)
    }
  })
})
