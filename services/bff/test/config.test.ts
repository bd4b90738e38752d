import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { ConfigError } from '@storefront/service-kit'
import { describe, expect, it } from 'vitest'

import { bffEnvSchema, readBffEnv } from '../src/config.js'

/** A secret strong enough for any address. */
const STRONG = 'Zq3vY8pL2mN7xR4tB9wK6sD1fH5jG0cE'
const OTHER_STRONG = 'u7Hc2Wq9Lk4Xp1Nz8Rm3Tb6Vy5Jd0GfA'

/** The environment of a BFF listening on every interface, minus what a test varies. */
const PUBLIC = { HOST: '0.0.0.0', SERVICE_TOKEN: STRONG }

/** A BFF on loopback with its token, minus what a test varies. */
const LOOPBACK = { SERVICE_TOKEN: STRONG }

const configError = (variable: string) => new RegExp(`^Invalid environment variable ${variable}: [^\\n]+$`)

describe('sign-in mode by address', () => {
  it('defaults to demo sign-in on a loopback HOST', () => {
    for (const HOST of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) {
      expect(readBffEnv({ HOST, SERVICE_TOKEN: STRONG }).AUTH_MODE).toBe('demo')
    }
  })

  it('refuses to start on any other HOST unless AUTH_MODE is set, naming AUTH_MODE', () => {
    for (const HOST of ['0.0.0.0', '::', '10.1.2.3', 'bff.internal']) {
      expect(() => readBffEnv({ ...PUBLIC, HOST })).toThrow(configError('AUTH_MODE'))
    }
  })

  it('refuses AUTH_MODE=demo off loopback unless ALLOW_DEMO_AUTH=true, naming ALLOW_DEMO_AUTH', () => {
    expect(() => readBffEnv({ ...PUBLIC, AUTH_MODE: 'demo' })).toThrow(configError('ALLOW_DEMO_AUTH'))
    expect(() => readBffEnv({ ...PUBLIC, AUTH_MODE: 'demo', ALLOW_DEMO_AUTH: 'false' })).toThrow(configError('ALLOW_DEMO_AUTH'))
    expect(readBffEnv({ ...PUBLIC, AUTH_MODE: 'demo', ALLOW_DEMO_AUTH: 'true' }).AUTH_MODE).toBe('demo')
  })

  it('starts off loopback in jwt mode with a strong secret', () => {
    const env = readBffEnv({ ...PUBLIC, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: OTHER_STRONG, OPS_TOKEN: OTHER_STRONG.split('').reverse().join('') })
    expect(env.AUTH_MODE).toBe('jwt')
  })
})

describe('one place for every rule', () => {
  it.each([
    ['AUTH_JWT_SECRET', { ...PUBLIC, AUTH_MODE: 'jwt' }],
    ['AUTH_JWKS_URL', { ...PUBLIC, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: OTHER_STRONG, AUTH_JWKS_URL: 'https://id.example/jwks' }],
    ['SERVICE_TOKEN', { HOST: '127.0.0.1' }],
    ['ALLOW_INSECURE_LOOPBACK', { HOST: '0.0.0.0', AUTH_MODE: 'jwt', AUTH_JWT_SECRET: OTHER_STRONG, ALLOW_INSECURE_LOOPBACK: 'true' }],
  ])('refuses a bad combination with a ConfigError naming %s', (variable, env) => {
    let error: unknown
    try {
      readBffEnv(env)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe(variable)
  })

  it('reads no database variables: the BFF keeps no data', () => {
    expect(Object.keys(bffEnvSchema)).not.toEqual(expect.arrayContaining(['DATABASE_URL']))
    for (const name of ['DATABASE_URL', 'DATA_DIR', 'DB_POOL_MAX', 'SEED_DEMO_DATA']) {
      expect(bffEnvSchema).not.toHaveProperty(name)
    }
  })
})

describe('secrets off loopback', () => {
  const weak: [string, string][] = [
    ['the .env.example placeholder', 'change-me-to-a-long-random-token'],
    ['16 × a', 'a'.repeat(16)],
    ['32 × a', 'a'.repeat(32)],
    ['31 mixed characters', STRONG.slice(1)],
  ]

  it.each(weak)('refuses %s as AUTH_SECRET, AUTH_JWT_SECRET, OPS_TOKEN and SERVICE_TOKEN, naming each', (_name, value) => {
    const jwt = { ...PUBLIC, AUTH_MODE: 'jwt' }
    expect(() => readBffEnv({ ...jwt, AUTH_SECRET: value })).toThrow(configError('AUTH_SECRET'))
    expect(() => readBffEnv({ ...jwt, AUTH_JWT_SECRET: value })).toThrow(configError('AUTH_JWT_SECRET'))
    expect(() => readBffEnv({ ...jwt, AUTH_JWT_SECRET: OTHER_STRONG, OPS_TOKEN: value })).toThrow(configError('OPS_TOKEN'))
    expect(() => readBffEnv({ ...jwt, AUTH_JWT_SECRET: OTHER_STRONG, SERVICE_TOKEN: value })).toThrow(configError('SERVICE_TOKEN'))
  })

  it('never shows the refused value', () => {
    expect(() => readBffEnv({ ...PUBLIC, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(/^(?!.*xxxxxxxx).*$/)
    expect(() => readBffEnv({ AUTH_SECRET: 'short-secret-value' })).toThrow(/^(?!.*short-secret-value).*AUTH_SECRET.*$/)
    expect(() => readBffEnv({ SERVICE_TOKEN: 'short-value' })).toThrow(/^(?!.*short-value).*SERVICE_TOKEN.*$/)
  })
})

describe('TRUST_PROXY', () => {
  it('is off by default, and takes a hop count or addresses and CIDRs', () => {
    expect(readBffEnv(LOOPBACK).TRUST_PROXY).toBe(false)
    expect(readBffEnv({ ...LOOPBACK, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false)
    expect(readBffEnv({ ...LOOPBACK, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2)
    expect(readBffEnv({ ...LOOPBACK, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.7', '::1'])
  })

  it.each(['true', 'yes', '0', '-1', '10.0.0.0/33', '10.0.0', 'proxy.internal', ''])('refuses %j with one line naming TRUST_PROXY', (value) => {
    if (value === '') {
      // Empty means unset, like every other variable.
      expect(readBffEnv({ ...LOOPBACK, TRUST_PROXY: value }).TRUST_PROXY).toBe(false)
      return
    }
    expect(() => readBffEnv({ ...LOOPBACK, TRUST_PROXY: value })).toThrow(configError('TRUST_PROXY'))
  })
})

describe('RATE_LIMIT_REDIS_URL', () => {
  it('is unset by default: the limit is counted in memory', () => {
    expect(readBffEnv(LOOPBACK).RATE_LIMIT_REDIS_URL).toBeUndefined()
    expect(readBffEnv(LOOPBACK).RATE_LIMIT_REDIS_TIMEOUT_MS).toBe(100)
  })

  it.each(['redis://127.0.0.1:6379', 'redis://redis.internal', 'rediss://:pass@redis.internal:6380/2', 'redis://user:pass@10.0.0.5:6379/', 'redis://:p%40ss@[::1]:6379/0'])('takes %s', (url) => {
    expect(readBffEnv({ ...LOOPBACK, RATE_LIMIT_REDIS_URL: url }).RATE_LIMIT_REDIS_URL).toBe(url)
  })

  it.each([
    'http://redis.internal:6379',
    'redis.internal:6379',
    'redis://',
    'redis://redis.internal/db',
    'redis://redis.internal:6379/0?family=6',
    'redis://redis.internal#x',
    'redis://:p%zzss@redis.internal',
    'unix:///run/redis.sock',
  ])('refuses %s with one line naming RATE_LIMIT_REDIS_URL', (url) => {
    expect(() => readBffEnv({ ...LOOPBACK, RATE_LIMIT_REDIS_URL: url })).toThrow(configError('RATE_LIMIT_REDIS_URL'))
  })

  it('never shows the refused URL, which may hold a password', () => {
    expect(() => readBffEnv({ ...LOOPBACK, RATE_LIMIT_REDIS_URL: 'http://:hunter2-password@redis.internal' })).toThrow(/^(?!.*hunter2).*RATE_LIMIT_REDIS_URL.*$/)
  })

  const weakPasswords: [string, string][] = [
    ['the .env.example placeholder', 'change-me-to-a-long-random-token'],
    ['31 mixed characters', STRONG.slice(1)],
    ['40 × a', 'a'.repeat(40)],
  ]

  it.each(weakPasswords)('refuses %s as its password off loopback, naming the variable and showing neither URL nor password', (_name, password) => {
    const jwt = { ...PUBLIC, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: OTHER_STRONG }
    const url = `redis://:${encodeURIComponent(password)}@redis.internal:6379`
    let error: unknown
    try {
      readBffEnv({ ...jwt, RATE_LIMIT_REDIS_URL: url })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe('RATE_LIMIT_REDIS_URL')
    expect((error as Error).message).toMatch(configError('RATE_LIMIT_REDIS_URL'))
    expect((error as Error).message).not.toContain(password)
    expect((error as Error).message).not.toContain('redis.internal')
  })

  it('takes a strong password, or none, off loopback; and any password on loopback', () => {
    const jwt = { ...PUBLIC, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: OTHER_STRONG }
    expect(readBffEnv({ ...jwt, RATE_LIMIT_REDIS_URL: `rediss://bff:${STRONG}@redis.internal:6380` }).RATE_LIMIT_REDIS_URL).toContain(STRONG)
    expect(readBffEnv({ ...jwt, RATE_LIMIT_REDIS_URL: 'redis://redis.internal:6379' }).RATE_LIMIT_REDIS_URL).toBe('redis://redis.internal:6379')
    expect(readBffEnv({ ...LOOPBACK, RATE_LIMIT_REDIS_URL: 'redis://:short@127.0.0.1:6379' }).RATE_LIMIT_REDIS_URL).toBe('redis://:short@127.0.0.1:6379')
  })

  it.each(['0', '5001', '1.5', 'soon'])('refuses RATE_LIMIT_REDIS_TIMEOUT_MS=%s', (value) => {
    expect(() => readBffEnv({ ...LOOPBACK, RATE_LIMIT_REDIS_TIMEOUT_MS: value })).toThrow(configError('RATE_LIMIT_REDIS_TIMEOUT_MS'))
  })
})

describe('downstream origins', () => {
  it('takes one origin or a comma-separated list of replicas for each downstream', () => {
    const env = readBffEnv({ ...LOOPBACK, INVENTORY_URL: 'http://127.0.0.1:8001, http://127.0.0.1:8011', CART_URL: 'http://cart.internal:8003' })
    expect(env.PRODUCTS_URL).toEqual(['http://127.0.0.1:8000'])
    expect(env.INVENTORY_URL).toEqual(['http://127.0.0.1:8001', 'http://127.0.0.1:8011'])
    expect(env.CART_URL).toEqual(['http://cart.internal:8003'])
  })

  it.each(['PRODUCTS_URL', 'INVENTORY_URL', 'FAVORITES_URL', 'CART_URL'])('refuses a bad origin in %s with one line naming it', (variable) => {
    for (const value of ['http://127.0.0.1:8001,ftp://127.0.0.1:8011', 'http://127.0.0.1:8001/api', 'http://127.0.0.1:8001,,http://127.0.0.1:8011', 'http://127.0.0.1:8001,http://127.0.0.1:8001']) {
      expect(() => readBffEnv({ ...LOOPBACK, [variable]: value })).toThrow(configError(variable))
    }
  })
})

describe('the BFF process', () => {
  const server = fileURLToPath(new URL('../dist/server.js', import.meta.url))

  it.runIf(existsSync(server))('exits non-zero on a non-loopback HOST without AUTH_MODE, with one line naming the variable', () => {
    const { HOME, PATH } = process.env
    const result = spawnSync(process.execPath, [server], {
      env: { HOME, PATH, HOST: '0.0.0.0', PORT: '0', SERVICE_TOKEN: STRONG },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toMatch(configError('AUTH_MODE'))
    expect(result.stdout).not.toMatch(/listening/i)
  })
})
