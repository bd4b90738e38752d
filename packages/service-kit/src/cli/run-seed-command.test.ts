import { describe, expect, it } from 'vitest'

import type { Database } from '../db/database.js'
import { type SeedCommandOptions, runSeedCommand } from './run-seed-command.js'

/** A database that only records whether it was closed; seeding is the test's fake. */
function fakeDatabase(): Database & { closed: number } {
  const db = {
    closed: 0,
    query: () => Promise.resolve([]),
    exec: () => Promise.resolve(),
    transaction: () => Promise.reject(new Error('not used')),
    ping: () => Promise.resolve(),
    stats: { active: 0, waiting: 0 },
    close: () => {
      db.closed++
      return Promise.resolve()
    },
  }
  return db
}

function setup(argv: string[], overrides: Partial<SeedCommandOptions<{ ok: true }>> = {}) {
  const db = fakeDatabase()
  const output: string[] = []
  const seeded: number[] = []
  const options: SeedCommandOptions<{ ok: true }> = {
    label: 'products',
    flag: 'products',
    argv,
    readEnv: () => ({ ok: true }),
    open: () => Promise.resolve(db),
    seed: async (_db, count, onProgress) => {
      seeded.push(count)
      onProgress(count)
    },
    stderr: { isTTY: false, write: (chunk: string) => output.push(chunk) },
    ...overrides,
  }
  return { db, output, seeded, run: () => runSeedCommand(options) }
}

describe('runSeedCommand', () => {
  it.each([['--products', '10000'], ['--products=10000']])('seeds 1..N under a bar, closes the database and returns 0 (%s)', async (...argv) => {
    const { db, output, seeded, run } = setup(argv)
    await expect(run()).resolves.toBe(0)
    expect(seeded).toEqual([10_000])
    expect(db.closed).toBe(1)
    expect(output[0]).toMatch(/^products: 10,000\/10,000  100% {2}[\d,]+\/s {2}in \d+\.\d s\n$/)
    expect(output[1]).toMatch(/^products: 1\.\.10000 present, \d+\.\d s with opening and closing the database\n$/)
  })

  it.each([
    [[], 'products: --products is required (usage: --products N, a whole number from 1 to 1000000)\n'],
    [['--products', '0'], 'products: --products must be a whole number from 1 to 1000000 (got "0")\n'],
    [['--products', '1000001'], 'products: --products must be a whole number from 1 to 1000000 (got "1000001")\n'],
    [['--products', '1e4'], 'products: --products must be a whole number from 1 to 1000000 (got "1e4")\n'],
    [['--products', '12.5'], 'products: --products must be a whole number from 1 to 1000000 (got "12.5")\n'],
  ])('refuses %j with one line and returns 1, without opening the database', async (argv, message) => {
    let opened = false
    const { output, run } = setup(argv, {
      open: () => {
        opened = true
        return Promise.resolve(fakeDatabase())
      },
    })
    await expect(run()).resolves.toBe(1)
    expect(output).toEqual([message])
    expect(opened).toBe(false)
  })

  it('refuses an unknown option with one line', async () => {
    const { output, run } = setup(['--product', '10'])
    await expect(run()).resolves.toBe(1)
    expect(output).toHaveLength(1)
    expect(output[0]).toMatch(/^products: Unknown option '--product'[^\n]*\n$/)
  })

  it('reports a bad environment variable with its one-line message', async () => {
    const { output, run } = setup(['--products', '5'], {
      readEnv: () => {
        throw new Error('Invalid environment variable DATABASE_URL: must match /^postgres(ql)?:\\/\\// (got "mysql://x")')
      },
    })
    await expect(run()).resolves.toBe(1)
    expect(output).toEqual(['products: Invalid environment variable DATABASE_URL: must match /^postgres(ql)?:\\/\\// (got "mysql://x")\n'])
  })

  it('reports a database that cannot be opened, folding its message onto one line', async () => {
    const { output, run } = setup(['--products', '5'], { open: () => Promise.reject(new Error('connect ECONNREFUSED\n  127.0.0.1:5432')) })
    await expect(run()).resolves.toBe(1)
    expect(output).toEqual(['products: could not open the database: connect ECONNREFUSED 127.0.0.1:5432\n'])
  })

  it('closes the database and returns 1 when seeding fails', async () => {
    const { db, output, run } = setup(['--products', '5'], { seed: () => Promise.reject(new Error('disk full')) })
    await expect(run()).resolves.toBe(1)
    expect(db.closed).toBe(1)
    expect(output).toEqual(['products: seeding failed: disk full\n'])
  })
})
