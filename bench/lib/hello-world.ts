import { fileURLToPath } from 'node:url'

import { NodeProcess } from '@storefront/service-kit/processes'

import type { HelloReply, HelloRequest, HelloRoute } from './hello-world-protocol.js'
import { type RunningProcess, exitStatus } from './service-process.js'

/**
 * Starts the hello-world baseline (`hello-world-server.ts`) in its own process, serving `routes`,
 * and resolves once it listens (`nodeArgs`: Node.js flags such as `--cpu-prof`). Its port is picked by the system, so it can never collide with a
 * service's.
 */
export async function startHelloWorld(routes: readonly HelloRoute[], nodeArgs: readonly string[] = []): Promise<RunningProcess> {
  // No onLine: the baseline logs nothing, and what it might say on a failure goes straight to this terminal.
  const child = NodeProcess.start({
    script: fileURLToPath(new URL('./hello-world-server.js', import.meta.url)),
    nodeArgs,
    env: { PATH: process.env.PATH ?? '' },
    ipc: true,
  })
  const listening = new Promise<HelloReply>((resolve) => {
    const unsubscribe = child.onMessage((message) => {
      unsubscribe()
      resolve(message as HelloReply)
    })
  })
  const request: HelloRequest = { routes }
  child.send(request)
  const outcome = await Promise.race([listening, child.exited.then((exit) => ({ exit }))])
  if ('exit' in outcome) {
    throw new Error(`the hello-world server exited (${exitStatus(outcome.exit)}) before it listened`)
  }
  return {
    name: 'hello-world',
    port: outcome.port,
    pid: child.pid ?? 0,
    logLines: 0,
    stop: async () => {
      await child.stop()
    },
    kill: async () => {
      child.kill()
      await child.exited
    },
  }
}
