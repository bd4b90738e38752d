import { createServer } from 'node:net'

import { LOOPBACK } from '../lib/loopback.js'

/**
 * The ports a launcher started with `--base-port base` takes: the four services on base..base+3,
 * its embedded PostgreSQL server on base+4, the BFF on base+1000.
 */
export function launcherPorts(base: number): number[] {
  return [base, base + 1, base + 2, base + 3, base + 4, base + 1000]
}

/**
 * Fails, naming them, when any of `ports` is taken on the loopback interface: a launcher started
 * there would stop at once, or worse, its readiness checks would reach a stranger.
 */
export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  const busy: number[] = []
  for (const port of ports) {
    if (!(await isFree(port))) {
      busy.push(port)
    }
  }
  if (busy.length > 0) {
    throw new Error(`port(s) ${busy.join(', ')} on ${LOOPBACK} are in use (a launcher left from an earlier run?): free them or pass another --base-port`)
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => { resolve(false) })
    probe.listen(port, LOOPBACK, () => {
      probe.close(() => { resolve(true) })
    })
  })
}
