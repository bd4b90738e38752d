import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

import { ConfigError } from '@storefront/service-kit'
import { describe, expect, it } from 'vitest'

import { favoritesEnvSchema, readFavoritesEnv } from '../src/config.js'

describe('readFavoritesEnv', () => {
  it('defaults to port 8002 on loopback with the embedded server under <repository>/.data/postgres, whatever the working directory', () => {
    const env = readFavoritesEnv({ ALLOW_INSECURE_LOOPBACK: 'true' })
    expect(env).toMatchObject({ HOST: '127.0.0.1', PORT: 8002, DATA_DIR: fileURLToPath(new URL('../../../.data/postgres', import.meta.url)), BODY_LIMIT_BYTES: 65_536 })
    expect(env.DATABASE_URL).toBeUndefined()
    expect(Object.isFrozen(env)).toBe(true)
  })

  it('refuses a bad value with one line naming the variable', () => {
    expect(() => readFavoritesEnv({ PORT: 'eighty' })).toThrow(ConfigError)
    expect(() => readFavoritesEnv({ PORT: 'eighty' })).toThrow(/^Invalid environment variable PORT: [^\n]+$/)
    expect(() => readFavoritesEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/^Invalid environment variable DATABASE_URL:/)
  })
})

describe('.env.example', () => {
  it('documents every variable the service reads, and no other', async () => {
    const text = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
    const documented = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1])
    expect(documented.toSorted()).toEqual(Object.keys(favoritesEnvSchema).toSorted())
  })
})
