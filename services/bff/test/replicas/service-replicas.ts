import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { STOREFRONT_SERVICES, type StorefrontService } from '@storefront/service-kit'
import { NodeProcess, waitReady } from '@storefront/service-kit/processes'
import { TEST_SERVICE_TOKEN, type TestDatabase, createTestDatabase, freePort } from '@storefront/service-kit/testing'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

/** How long a service may take to migrate, seed and answer ready, on a busy machine. */
const READY_TIMEOUT_MS = 60_000

function scriptOf(service: StorefrontService): string {
  return join(repoRoot, 'services', service, 'dist', 'server.js')
}

/** True when every service is built: these tests run the compiled services as processes. */
export const servicesBuilt = STOREFRONT_SERVICES.every((service) => existsSync(scriptOf(service)))

/**
 * One replica: a real service process on 127.0.0.1 and a port of its own, which a test can kill,
 * stop gracefully and start again on the same port, as an orchestrator would.
 */
export class ServiceReplica {
  readonly origin: string
  #child: NodeProcess | undefined
  /** The last lines it wrote, for a failing test's report. */
  readonly #tail: string[] = []

  constructor(
    readonly name: string,
    private readonly service: StorefrontService,
    private readonly port: number,
    private readonly env: Readonly<Record<string, string>>,
  ) {
    this.origin = `http://127.0.0.1:${port}`
  }

  /** Starts it and resolves once `/health/ready` answers 200; rejects with its last lines if it exits first. */
  async start(): Promise<void> {
    const child = NodeProcess.start({
      script: scriptOf(this.service),
      cwd: repoRoot,
      env: { ...this.env, PORT: String(this.port) },
      onLine: (line) => {
        this.#tail.push(line)
        this.#tail.splice(0, Math.max(0, this.#tail.length - 20))
      },
    })
    this.#child = child
    const exited = new AbortController()
    void child.exited.then(() => {
      exited.abort()
    })
    const notReady = await waitReady([{ name: this.name, origin: this.origin }], { intervalMs: 20, timeoutMs: READY_TIMEOUT_MS, signal: exited.signal })
    if (notReady.length > 0) {
      await child.stop({ graceMs: 1000 })
      throw new Error(`${this.name} did not become ready:\n${this.#tail.join('\n')}`)
    }
  }

  /** SIGKILL, as a crash or the OOM killer would; resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.#child
    child?.kill()
    await child?.exited
  }

  /**
   * SIGTERM: it stops accepting, finishes what is in flight and exits. Resolves with its exit code,
   * and its last lines when that is not 0.
   */
  async stop(): Promise<{ code: number | null; lines?: string }> {
    const exit = await this.#child?.stop({ graceMs: 15_000 })
    const code = exit?.code ?? null
    return code === 0 ? { code } : { code, lines: this.#tail.join('\n') }
  }
}

/**
 * Storefront's four services as real processes, `counts` replicas of each (one by default), every
 * replica of a service on that service's one fresh test database, seeded with the demo data.
 */
export class ServiceReplicas {
  private constructor(
    private readonly replicas: ReadonlyMap<StorefrontService, readonly ServiceReplica[]>,
    private readonly databases: readonly TestDatabase[],
  ) {}

  static async start(counts: Partial<Record<StorefrontService, number>> = {}): Promise<ServiceReplicas> {
    const databases = await Promise.all(STOREFRONT_SERVICES.map((service) => createTestDatabase(`${service}_replicas`)))
    const replicas = new Map<StorefrontService, ServiceReplica[]>()
    for (const [index, service] of STOREFRONT_SERVICES.entries()) {
      const databaseUrl = databases[index]!.location.databaseUrl
      if (databaseUrl === undefined) {
        throw new Error('the test database has no URL: these tests need a PostgreSQL server')
      }
      const env = {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        SERVICE_TOKEN: TEST_SERVICE_TOKEN,
        DATABASE_URL: databaseUrl,
        SEED_DEMO_DATA: 'true',
        LOG_LEVEL: 'warn',
      }
      const count = counts[service] ?? 1
      const made: ServiceReplica[] = []
      for (let replica = 1; replica <= count; replica++) {
        made.push(new ServiceReplica(`${service}-${replica}`, service, await freePort(), env))
      }
      replicas.set(service, made)
    }
    const started = new ServiceReplicas(replicas, databases)
    try {
      // One service at a time, its replicas together: on two cores, eight processes starting at
      // once take longer than four pairs.
      for (const service of STOREFRONT_SERVICES) {
        await Promise.all(started.of(service).map((replica) => replica.start()))
      }
    } catch (error) {
      await started.close()
      throw error
    }
    return started
  }

  /** The replicas of `service`, in order. */
  of(service: StorefrontService): readonly ServiceReplica[] {
    return this.replicas.get(service) ?? []
  }

  /** Every replica, service by service. */
  all(): ServiceReplica[] {
    return STOREFRONT_SERVICES.flatMap((service) => this.of(service))
  }

  /** The BFF's `<SERVICE>_URL` for `service`: its replicas' origins, comma-separated. */
  urls(service: StorefrontService): string {
    return this.of(service).map((replica) => replica.origin).join(',')
  }

  /** Stops every replica and drops the databases. */
  async close(): Promise<void> {
    await Promise.all(this.all().map((replica) => replica.kill()))
    await Promise.all(this.databases.map((database) => database.drop()))
  }
}
