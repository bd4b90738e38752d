import { fork } from 'node:child_process'

import { type RunningProcess, exitOf, stopChild } from '../lib/service-process.js'
import type { HelloReply, HelloRequest, HelloRoute } from './hello-world-protocol.js'

/**
 * Starts the hello-world baseline (`hello-world-server.ts`) in its own process, serving `routes`,
 * and resolves once it listens (`nodeArgs`: Node.js flags such as `--cpu-prof`). Its port is picked by the system, so it can never collide with a
 * service's.
 */
export async function startHelloWorld(routes: readonly HelloRoute[], nodeArgs: readonly string[] = []): Promise<RunningProcess> {
  const child = fork(new URL('./hello-world-server.js', import.meta.url), [], {
    execArgv: [...nodeArgs],
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = exitOf(child)
  const listening = new Promise<HelloReply>((resolve) => {
    child.once('message', (message: HelloReply) => {
      resolve(message)
    })
  })
  const request: HelloRequest = { routes }
  child.send(request)
  const outcome = await Promise.race([listening, exited.then((code) => ({ code }))])
  if ('code' in outcome) {
    throw new Error(`the hello-world server exited (${outcome.code}) before it listened`)
  }
  return { name: 'hello-world', port: outcome.port, pid: child.pid ?? 0, logLines: 0, stop: () => stopChild(child, exited) }
}
