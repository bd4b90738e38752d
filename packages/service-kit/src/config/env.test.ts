import { describe, expect, it } from 'vitest'

import { baseEnv, checkBaseEnv, databaseEnv } from './base-env.js'
import { ConfigError, readEnv } from './env.js'

const read = (env: Record<string, string>) => readEnv({ ...baseEnv(8000), ...databaseEnv() }, env)

describe('readEnv with the base schema', () => {
  it('applies the documented defaults', () => {
    const env = read({})
    expect(env).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8000,
      DATABASE_URL: undefined,
      DATA_DIR: expect.stringMatching(/^\/.+\/\.data\/postgres$/) as string,
      SERVICE_TOKEN: undefined,
      LOG_LEVEL: 'info',
      BODY_LIMIT_BYTES: 65_536,
      FAULT_DELAY_MS: undefined,
      FAULT_ERROR_RATE: 0,
    })
    expect(Object.isFrozen(env)).toBe(true)
  })

  it('parses every kind of value', () => {
    const env = read({ PORT: '9001', FAULT_DELAY_MS: '0-5000', FAULT_ERROR_RATE: '0.25', ALLOW_INSECURE_LOOPBACK: 'true', DATABASE_URL: 'postgres://u:p@h/db' })
    expect(env.PORT).toBe(9001)
    expect(env.FAULT_DELAY_MS).toEqual({ minMs: 0, maxMs: 5000 })
    expect(env.FAULT_ERROR_RATE).toBe(0.25)
    expect(env.ALLOW_INSECURE_LOOPBACK).toBe(true)
    expect(env.DATABASE_URL).toBe('postgres://u:p@h/db')
    expect(read({ FAULT_DELAY_MS: '250' }).FAULT_DELAY_MS).toEqual({ minMs: 250, maxMs: 250 })
  })

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['FAULT_DELAY_MS', '5000-0'],
    ['FAULT_DELAY_MS', 'slow'],
    ['FAULT_DELAY_MS', '0-9999999'],
    ['FAULT_DELAY_MS', '60001'],
    ['FAULT_ERROR_RATE', '1.5'],
    ['FAULT_ERROR_RATE', '-0.1'],
    ['LOG_LEVEL', 'loud'],
    ['ALLOW_INSECURE_LOOPBACK', 'maybe'],
    ['DATABASE_URL', 'mysql://x'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    let error: unknown
    try {
      read({ [name]: value })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as ConfigError).message
    expect(message).toContain(`Invalid environment variable ${name}:`)
    expect(message).toContain(JSON.stringify(value))
    expect(message).not.toContain('\n')
  })
})

describe('secrets', () => {
  it('refuses a short SERVICE_TOKEN with one line naming it, never repeating the value', () => {
    expect(() => read({ SERVICE_TOKEN: 'short' })).toThrow(/^Invalid environment variable SERVICE_TOKEN: must be at least 16 characters$/)
  })
})

describe('checkBaseEnv', () => {
  it('refuses to start without SERVICE_TOKEN unless told it runs on loopback for development', () => {
    expect(() => checkBaseEnv(read({}))).toThrow(/SERVICE_TOKEN/)
    expect(() => checkBaseEnv(read({ ALLOW_INSECURE_LOOPBACK: 'true' }))).not.toThrow()
    expect(() => checkBaseEnv(read({ ALLOW_INSECURE_LOOPBACK: 'true', HOST: '0.0.0.0' }))).toThrow(/ALLOW_INSECURE_LOOPBACK.*loopback/)
    expect(() => checkBaseEnv(read({ SERVICE_TOKEN: 'Zq3vY8pL2mN7xR4tB9wK6sD1fH5jG0cE', HOST: '0.0.0.0' }))).not.toThrow()
  })
})

describe('readEnv with cross-variable checks', () => {
  const readChecked = (env: Record<string, string>) => readEnv(baseEnv(8000), env, checkBaseEnv)

  it.each([
    ['SERVICE_TOKEN', {}],
    ['ALLOW_INSECURE_LOOPBACK', { ALLOW_INSECURE_LOOPBACK: 'true', HOST: '0.0.0.0' }],
    ['SERVICE_TOKEN', { SERVICE_TOKEN: 'change-me-to-a-long-random-token', HOST: '0.0.0.0' }],
  ])('throws a ConfigError naming %s for %j', (variable, env) => {
    let error: unknown
    try {
      readChecked(env)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe(variable)
    expect((error as ConfigError).message).toMatch(new RegExp(`^Invalid environment variable ${variable}: [^\\n]+$`))
  })

  it('returns the values when the check passes', () => {
    expect(readChecked({ ALLOW_INSECURE_LOOPBACK: 'true' }).ALLOW_INSECURE_LOOPBACK).toBe(true)
  })
})
