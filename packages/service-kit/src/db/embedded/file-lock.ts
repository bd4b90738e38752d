import { mkdir, rm, stat } from 'node:fs/promises'

/** A lock older than this is taken for one left behind by a process that died, in ms. */
const STALE_LOCK_MS = 60_000

/**
 * Runs `fn` while holding a lock on `path` (a directory made atomically beside it), so that two
 * processes starting at once (two services started alone, a seed and a service) do not initialise
 * or change the same cluster together.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lock = `${path}.lock`
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      await mkdir(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error
      }
      const age = await stat(lock).then((info) => Date.now() - info.mtimeMs, () => 0)
      if (age > STALE_LOCK_MS) {
        await rm(lock, { recursive: true, force: true })
        continue
      }
      if (Date.now() > until) {
        throw new Error(`Timed out waiting for ${lock} (remove it if no Storefront process is running)`)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}
