import { readFileSync, readdirSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { baseEnv, checkBaseEnv } from './base-env.js'
import { readEnv } from './env.js'
import { EXAMPLE_SECRETS, SECRET_VARIABLES, checkSecret, secretWeakness } from './secret-strength.js'

const STRONG = 'Zq3vY8pL2mN7xR4tB9wK6sD1fH5jG0cE'

describe('secretWeakness', () => {
  it('accepts 32 characters of mixed text', () => {
    expect(secretWeakness(STRONG)).toBeUndefined()
  })

  it.each([
    ['shorter than 32 characters', 'aaaaaaaaaaaaaaaa', /at least 32 characters/],
    ['one repeated character', 'a'.repeat(32), /one repeated character/],
    ['one repeated character, long', '0'.repeat(64), /one repeated character/],
    ['the .env.example placeholder', 'change-me-to-a-long-random-token', /\.env\.example/],
  ])('refuses %s', (_name, value, reason) => {
    expect(secretWeakness(value)).toMatch(reason)
  })
})

describe('checkSecret', () => {
  it('names the variable in one line and never shows the value', () => {
    expect(() => { checkSecret('OPS_TOKEN', 'a'.repeat(40), '0.0.0.0') }).toThrow(/^Invalid environment variable OPS_TOKEN: [^\n]+$/)
    try {
      checkSecret('OPS_TOKEN', 'a'.repeat(40), '0.0.0.0')
    } catch (error) {
      expect((error as Error).message).not.toContain('a'.repeat(40))
    }
  })

  it('holds weak secrets only off loopback: a laptop run may use a short token', () => {
    expect(() => { checkSecret('SERVICE_TOKEN', 'a'.repeat(20), '127.0.0.1') }).not.toThrow()
    expect(() => { checkSecret('SERVICE_TOKEN', 'a'.repeat(20), '::1') }).not.toThrow()
    expect(() => { checkSecret('SERVICE_TOKEN', 'a'.repeat(20), '10.0.0.5') }).toThrow(/SERVICE_TOKEN/)
    expect(() => { checkSecret('SERVICE_TOKEN', undefined, '0.0.0.0') }).not.toThrow()
  })
})

describe('EXAMPLE_SECRETS', () => {
  it('holds every secret value written in any .env.example, so none of them can be deployed as is', () => {
    const servicesDir = new URL('../../../../services/', import.meta.url)
    const values: string[] = []
    for (const service of readdirSync(servicesDir, { withFileTypes: true })) {
      if (!service.isDirectory() || service.name === 'test') {
        continue
      }
      let text: string
      try {
        text = readFileSync(new URL(`${service.name}/.env.example`, servicesDir), 'utf8')
      } catch {
        continue
      }
      for (const match of text.matchAll(/^(?:# ?)?([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
        if ((SECRET_VARIABLES as readonly string[]).includes(match[1]!) && match[2]!.trim() !== '') {
          values.push(match[2]!.trim())
        }
      }
    }
    expect(values.length).toBeGreaterThanOrEqual(5)
    for (const value of values) {
      expect(EXAMPLE_SECRETS.has(value), value).toBe(true)
    }
  })
})

describe('checkBaseEnv and SERVICE_TOKEN off loopback', () => {
  const read = (env: Record<string, string>) => readEnv(baseEnv(8000), env)

  it.each([
    ['the .env.example placeholder', 'change-me-to-a-long-random-token'],
    ['16 × a', 'a'.repeat(16)],
    ['32 × a', 'a'.repeat(32)],
    ['20 mixed characters', 'k3J9x-Qw2Lm8Zp4Rt7Vb'],
  ])('refuses %s on 0.0.0.0, naming SERVICE_TOKEN', (_name, token) => {
    expect(() => { checkBaseEnv(read({ HOST: '0.0.0.0', SERVICE_TOKEN: token })) }).toThrow(/^Invalid environment variable SERVICE_TOKEN: /)
  })

  it('accepts a strong token off loopback, and the placeholder on loopback', () => {
    expect(() => { checkBaseEnv(read({ HOST: '0.0.0.0', SERVICE_TOKEN: STRONG })) }).not.toThrow()
    expect(() => { checkBaseEnv(read({ HOST: '127.0.0.1', SERVICE_TOKEN: 'change-me-to-a-long-random-token' })) }).not.toThrow()
  })
})
