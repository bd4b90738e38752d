import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The root of the Storefront repository: the nearest folder above this module whose
 * `package.json` declares workspaces. Found from the code's own location, not the working
 * directory, so `npm start`, `npm run seed` and a service started from its own folder all agree
 * on where `.data` is.
 */
export function repositoryRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && isWorkspaceRoot(manifest)) {
      return dir
    }
    if (dirname(dir) === dir) {
      throw new Error(`No repository root (a package.json with workspaces) above ${from}`)
    }
  }
}

function isWorkspaceRoot(manifest: string): boolean {
  try {
    return Array.isArray((JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces)
  } catch {
    return false
  }
}

/** Where the embedded PostgreSQL server keeps its cluster by default: `.data/postgres` at the repository root. */
export function defaultEmbeddedDataDir(): string {
  return join(repositoryRoot(), '.data', 'postgres')
}
