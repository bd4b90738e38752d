import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** The embedded server's port unless its credentials say otherwise: away from a system server's 5432. */
export const DEFAULT_EMBEDDED_PORT = 54_320

/** What clients of the embedded server need: its port and a password per role. */
export interface EmbeddedCredentials {
  readonly port: number
  /** The superuser (`postgres`), used only to create the services' roles and databases. */
  readonly superuserPassword: string
  /** One role per service, named after it, with its password. */
  readonly roles: Readonly<Record<string, string>>
}

function secret(): string {
  return randomBytes(24).toString('base64url')
}

/** The credentials file beside a cluster's data directory: `<dataDir>.credentials.json`. */
export function credentialsPath(dataDir: string): string {
  return `${dataDir}.credentials.json`
}

/**
 * Reads the cluster's credentials, creating them (and any role in `roles` not yet there) on first
 * use; `port` is the port a new cluster gets. The file is the caller's own (mode 0600): the server runs as another OS user when started
 * by root, and never needs it. Written atomically, so a reader never sees half a file; callers
 * that may add roles hold the cluster's lock (see `withFileLock`), so two never add at once.
 */
export function loadCredentials(dataDir: string, roles: readonly string[] = [], port: number = DEFAULT_EMBEDDED_PORT): EmbeddedCredentials {
  const path = credentialsPath(dataDir)
  let current: EmbeddedCredentials | undefined
  try {
    current = JSON.parse(readFileSync(path, 'utf8')) as EmbeddedCredentials
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Unreadable embedded PostgreSQL credentials at ${path}: ${(error as Error).message}`)
    }
  }
  const missing = roles.filter((role) => current?.roles[role] === undefined)
  if (current !== undefined && missing.length === 0) {
    return current
  }
  const next: EmbeddedCredentials = {
    port: current?.port ?? port,
    superuserPassword: current?.superuserPassword ?? secret(),
    roles: { ...current?.roles, ...Object.fromEntries(missing.map((role) => [role, secret()])) },
  }
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 })
  renameSync(temporary, path)
  return next
}
