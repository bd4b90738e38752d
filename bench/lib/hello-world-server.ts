/**
 * The baseline of the services and BFF benchmarks, run as a child process by `hello-world.ts`: a
 * bare Fastify server (default options, no logger, no hooks, no plugins) that answers each path
 * with a fixed body. The parent sends the paths and bodies over IPC (the services benchmark sends
 * the real services' answers, so the baseline returns the very same bytes with the same content
 * type), and the server replies with the port it listens on.
 */
import Fastify from 'fastify'

import type { HelloReply, HelloRequest } from './hello-world-protocol.js'
import { LOOPBACK } from './loopback.js'

const app = Fastify()

// The parent going away (even killed) closes the IPC channel: never outlive it.
let stopping = false
const stop = (): void => {
  if (stopping) {
    return
  }
  stopping = true
  void app.close().finally(() => {
    if (process.connected) {
      process.disconnect()
    }
  })
}

process.once('message', (message: HelloRequest) => {
  for (const route of message.routes) {
    // Registered once per path; the query string is not part of a route, as in the services.
    app.get(route.path, (_request, reply) => reply.type(route.contentType).send(route.body))
  }
  app
    .listen({ host: LOOPBACK, port: 0 })
    .then(() => {
      const address = app.server.address()
      const reply: HelloReply = { port: typeof address === 'object' && address !== null ? address.port : 0 }
      process.send?.(reply)
    })
    .catch((error: unknown) => {
      process.stderr.write(`hello-world could not listen: ${String(error)}\n`)
      process.exitCode = 1
      stop()
    })
})
process.once('disconnect', stop)
process.once('SIGTERM', stop)
