import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'

import { closedPortUrl } from './helper.js'

/** The Redis server binary; `STOREFRONT_REDIS_SERVER` points elsewhere. */
const REDIS_SERVER = process.env.STOREFRONT_REDIS_SERVER ?? 'redis-server'

/**
 * Why the tests that need a Redis server cannot run here, or `undefined` when they can. Without
 * `redis-server` they are skipped with this reason, unless `STOREFRONT_TEST_REQUIRE_REDIS=1` (CI)
 * makes that an error.
 */
export function redisTestsUnavailable(): string | undefined {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8', timeout: 10_000 })
  const reason = probe.status === 0 ? undefined : `cannot run ${REDIS_SERVER} (apt-get install -y redis-server, or set STOREFRONT_REDIS_SERVER)`
  if (reason !== undefined && process.env.STOREFRONT_TEST_REQUIRE_REDIS === '1') {
    throw new Error(`Redis tests required (STOREFRONT_TEST_REQUIRE_REDIS=1) but ${reason}`)
  }
  return reason
}

/** A `redis-server` of a test's own, on a loopback port, keeping nothing on disk. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  /** Stops answering without closing anything (SIGSTOP): a hung Redis. */
  pause(): void
  /** Answers again (SIGCONT). */
  resume(): void
  /** Stops the server and waits for it to exit; again is a no-op. */
  stop(): Promise<void>
  /** Starts the server again on the same port, empty. */
  restart(): Promise<void>
}

/** Starts `redis-server` on a free loopback port and waits until it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  const port = Number(new URL(await closedPortUrl()).port)
  let server = await launch(port)
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => {
      server.kill('SIGSTOP')
    },
    resume: () => {
      server.kill('SIGCONT')
    },
    stop: async () => {
      await stopServer(server)
    },
    restart: async () => {
      await stopServer(server)
      server = await launch(port)
    },
  }
}

async function launch(port: number): Promise<ChildProcess> {
  const server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const until = performance.now() + 10_000
  while (!(await accepts(port))) {
    if (server.exitCode !== null || performance.now() > until) {
      server.kill('SIGKILL')
      throw new Error(`redis-server did not start on port ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return server
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) {
    return
  }
  const exited = once(server, 'exit')
  // A paused server acts on SIGTERM only once it runs again.
  server.kill('SIGCONT')
  server.kill('SIGTERM')
  await exited
}

/** True when something accepts a TCP connection on the loopback `port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      socket.destroy()
      resolve(false)
    })
  })
}
