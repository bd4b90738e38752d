import { describe, expect, it } from 'vitest'

import { ConfigError, readEnv } from './env.js'
import { originList } from './origin-list.js'

const schema = { INVENTORY_URL: originList('Origins of inventory.', 'http://127.0.0.1:8001') }

function read(raw: string | undefined): readonly string[] {
  return readEnv(schema, { INVENTORY_URL: raw }).INVENTORY_URL
}

function refusal(raw: string): string {
  try {
    read(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error(`expected ${raw} to be refused`)
}

describe('originList', () => {
  it('reads one origin, or several separated by commas, as origins', () => {
    expect(read(undefined)).toEqual(['http://127.0.0.1:8001'])
    expect(read('http://10.0.3.7:8001/')).toEqual(['http://10.0.3.7:8001'])
    expect(read('http://10.0.3.7:8001, http://10.0.3.8:8001,https://inventory.internal')).toEqual(['http://10.0.3.7:8001', 'http://10.0.3.8:8001', 'https://inventory.internal'])
    expect(Object.isFrozen(read('http://10.0.3.7:8001'))).toBe(true)
  })

  it('refuses a value that is not an http(s) origin, in one line naming the variable', () => {
    expect(refusal('ftp://10.0.3.7')).toBe('Invalid environment variable INVENTORY_URL: must be an http(s) origin: scheme, host and port, with no path, query or credentials (got "ftp://10.0.3.7")')
    for (const raw of ['http://10.0.3.7:8001/inventory', 'http://10.0.3.7:8001?x=1', 'http://user:secret@10.0.3.7', 'http://10.0.3.7:99999', '10.0.3.7:8001']) {
      expect(refusal(raw)).toMatch(/^Invalid environment variable INVENTORY_URL: must be an http\(s\) origin/)
    }
  })

  it('names the wrong entry of a list, an empty one included', () => {
    expect(refusal('http://10.0.3.7:8001,http://10.0.3.8:8001/stock')).toMatch(/^Invalid environment variable INVENTORY_URL: entry 2 \("http:\/\/10\.0\.3\.8:8001\/stock"\) must be an http\(s\) origin/)
    expect(refusal('http://10.0.3.7:8001,')).toMatch(/: entry 2 \(""\) must be an http\(s\) origin/)
    expect(refusal('http://10.0.3.7:8001;http://10.0.3.8:8001')).toMatch(/must be an http\(s\) origin/)
  })

  it('refuses an origin listed twice', () => {
    expect(refusal('http://10.0.3.7:8001,http://10.0.3.7:8001/')).toBe('Invalid environment variable INVENTORY_URL: lists http://10.0.3.7:8001 twice (got "http://10.0.3.7:8001,http://10.0.3.7:8001/")')
  })
})
