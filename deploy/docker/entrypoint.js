// The image's entry point: starts the process SERVICE names (services/<name>/dist/server.js) in
// this Node.js process, so that tini, PID 1, hands SIGTERM straight to the server's own graceful
// shutdown. Any other SERVICE stops the container at once with one line saying what is allowed.
import { SERVICE_PORTS } from './service-ports.js'

const service = process.env.SERVICE

if (service === undefined || !Object.hasOwn(SERVICE_PORTS, service)) {
  const given = service === undefined ? 'unset' : JSON.stringify(service)
  process.stderr.write(`SERVICE must be one of ${Object.keys(SERVICE_PORTS).join(', ')} (it is ${given})\n`)
  // EX_USAGE: a configuration mistake, not a crash worth restarting in a loop for.
  process.exitCode = 64
} else {
  await import(new URL(`../../services/${service}/dist/server.js`, import.meta.url).href)
}
