import { createServer } from 'node:net'

import { LOOPBACK } from '../lib/loopback.js'

/**
 * A TCP port on the loopback interface that the system has just handed out and nothing holds:
 * the benchmark never takes the fixed 8000-9000 ports, so a developer's `npm start` keeps running
 * beside it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => {
        resolve(port)
      })
    })
  })
}
