import { DEFAULT_EMBEDDED_PORT, EmbeddedCluster } from '@storefront/service-kit/embedded'
import { STOREFRONT_SERVICES, type StorefrontService } from '@storefront/service-kit/embedded'

/** Options of {@link EmbeddedDatabase}. */
export interface EmbeddedDatabaseOptions {
  /** The cluster's data directory, e.g. `<repo>/.data/postgres`. */
  readonly dataDir: string
  /** The port a new cluster gets (an existing one keeps its own). */
  readonly port?: number
  /** The launcher's own messages. */
  readonly log: (message: string) => void
  /** Called when the server cannot be brought back; the launcher then stops everything. */
  readonly onGiveUp: (reason: string) => void
}

/** Restarts in a row after which the server is given up on. */
const MAX_RESTARTS = 5

/**
 * The embedded PostgreSQL server of `npm start`: started before the services, restarted if it dies
 * (1 s, doubling), stopped after them. Each service gets a database and a role of its own there. A
 * server already running on the same data (a service started alone) is used as it is, and left
 * running.
 */
export class EmbeddedDatabase {
  readonly #options: EmbeddedDatabaseOptions
  readonly #cluster: EmbeddedCluster
  #owned = false
  #stopping = false
  #restarts = 0

  constructor(options: EmbeddedDatabaseOptions) {
    this.#options = options
    this.#cluster = new EmbeddedCluster({ dataDir: options.dataDir, port: options.port ?? DEFAULT_EMBEDDED_PORT })
  }

  /** Starts (or finds) the server and returns each service's `DATABASE_URL`. */
  async start(): Promise<Record<StorefrontService, string>> {
    const startedAt = Date.now()
    this.#owned = await this.#cluster.startUnlessRunning()
    if (this.#owned) {
      this.#watch()
      this.#options.log(`postgres: started on 127.0.0.1:${this.#cluster.credentials.port} in ${Date.now() - startedAt} ms (${this.#options.dataDir})`)
    } else {
      this.#options.log(`postgres: using the server already running on port ${this.#cluster.credentials.port} (${this.#options.dataDir})`)
    }
    // One connection for the four: the start waits on this.
    return this.#cluster.ensureDatabases(STOREFRONT_SERVICES)
  }

  /** Stops the server if the launcher started it. */
  async stop(): Promise<void> {
    this.#stopping = true
    if (this.#owned) {
      await this.#cluster.stop()
      this.#options.log('postgres: stopped')
    }
  }

  #isStopping(): boolean {
    return this.#stopping
  }

  #watch(): void {
    void this.#cluster.exited.then(async (code) => {
      if (this.#stopping) {
        return
      }
      this.#restarts++
      if (this.#restarts > MAX_RESTARTS) {
        this.#options.onGiveUp(`postgres exited ${MAX_RESTARTS + 1} times`)
        return
      }
      const delayMs = Math.min(30_000, 1000 * 2 ** (this.#restarts - 1))
      this.#options.log(`postgres exited unexpectedly (code ${code ?? 'null'}); restarting in ${delayMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      // Read again: stop() may have been called during the pause.
      if (this.#isStopping()) {
        return
      }
      try {
        await this.#cluster.start()
        this.#options.log('postgres: back')
        this.#watch()
        // A server that then stays up a minute starts the count afresh.
        setTimeout(() => { this.#restarts = 0 }, 60_000).unref()
      } catch (error) {
        this.#options.onGiveUp(`postgres could not restart: ${(error as Error).message}`)
      }
    })
  }
}
