import { parseArgs } from 'node:util'

import type { Database } from '../db/database.js'
import { type ProgressStream, progressBar } from './progress-bar.js'

/** Options of {@link runSeedCommand}. */
export interface SeedCommandOptions<E> {
  /** What is seeded, for the bar and the messages: `products`, `inventory`. */
  readonly label: string
  /** The flag that carries the count, without dashes: `products` reads `--products N`. */
  readonly flag: string
  /** The largest count accepted. Defaults to 1 000 000. */
  readonly max?: number
  /** The command-line arguments after the script: `process.argv.slice(2)`. */
  readonly argv: readonly string[]
  /** Reads and validates the service's environment, as its server does; throws a one-line message on a bad value. */
  readonly readEnv: () => E
  /** Opens the service's database (migrated). */
  readonly open: (env: E) => Promise<Database>
  /** Writes rows 1..count in batches, reporting how many are done. */
  readonly seed: (db: Database, count: number, onProgress: (done: number) => void) => Promise<void>
  /** Where the bar and the messages go. Defaults to `process.stderr`. */
  readonly stderr?: ProgressStream
}

/**
 * The body of a service's `db:seed` command: parses `--<flag> N` (1..max), reads the environment,
 * opens the database, seeds rows 1..N under a progress bar, and closes the database. Every failure
 * is one line on stderr. Resolves to the exit code (0, or 1 on any failure) rather than exiting,
 * so the caller sets `process.exitCode` and the process ends once the database is closed.
 *
 * @example
 * process.exitCode = await runSeedCommand({
 *   label: 'products', flag: 'products', argv: process.argv.slice(2),
 *   readEnv: () => readProductsEnv(), open: openProductsDatabase, seed: seedProducts,
 * })
 */
export async function runSeedCommand<E>(options: SeedCommandOptions<E>): Promise<number> {
  const stderr = options.stderr ?? process.stderr
  const fail = (message: string): number => {
    stderr.write(`${options.label}: ${message}\n`)
    return 1
  }
  let count: number
  let env: E
  try {
    count = readCount(options.argv, options.flag, options.max ?? 1_000_000)
    env = options.readEnv()
  } catch (error) {
    return fail(messageOf(error))
  }

  const started = performance.now()
  let db: Database
  try {
    db = await options.open(env)
  } catch (error) {
    return fail(`could not open the database: ${messageOf(error)}`)
  }
  try {
    const bar = progressBar(options.label, count, { stream: stderr })
    await options.seed(db, count, bar.update)
    bar.finish()
  } catch (error) {
    // On a terminal the bar's line is unfinished; start the message on a line of its own.
    if (stderr.isTTY === true) {
      stderr.write('\n')
    }
    return fail(`seeding failed: ${messageOf(error)}`)
  } finally {
    await db.close()
  }
  const seconds = (performance.now() - started) / 1000
  stderr.write(`${options.label}: 1..${count} present, ${seconds.toFixed(1)} s with opening and closing the database\n`)
  return 0
}

/** Reads `--<flag> N` (or `--<flag>=N`): a whole number from 1 to `max`. Anything else throws one line. */
function readCount(argv: readonly string[], flag: string, max: number): number {
  const usage = `usage: --${flag} N, a whole number from 1 to ${max}`
  // strict: an unknown option or a stray word is a typo to report, not something to ignore.
  const { values } = parseArgs({ args: [...argv], options: { [flag]: { type: 'string' } }, strict: true, allowPositionals: false })
  const raw = values[flag]
  if (typeof raw !== 'string') {
    throw new Error(`--${flag} is required (${usage})`)
  }
  const count = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(count >= 1 && count <= max)) {
    throw new Error(`--${flag} must be a whole number from 1 to ${max} (got ${JSON.stringify(raw)})`)
  }
  return count
}

function messageOf(error: unknown): string {
  // Messages are one line by contract; a driver message with newlines is folded rather than cut.
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ')
}
