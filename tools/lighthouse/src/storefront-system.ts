import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { NodeProcess } from '@storefront/service-kit/processes'

/** tools/lighthouse/dist/storefront-system.js → the repository root. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** The line the launcher prints once the BFF answers ready. */
const UP_LINE = 'Storefront is up'

/** How long the system may take to come up, in ms (the launcher's own limit is 60 s). */
const UP_TIMEOUT_MS = 90_000

/**
 * How long the launcher may take to stop after SIGTERM before it gets SIGKILL, in ms: it gives each
 * of its children 15 s itself, so this leaves it time to finish its own stop first.
 */
const STOP_GRACE_MS = 20_000

/** Lines of the launcher's output kept for an error message. */
const TAIL_LINES = 40

/** A whole Storefront started by the launcher, as `npm start` runs it, on data of its own. */
export interface StorefrontSystem {
  /** The BFF's origin, e.g. `http://127.0.0.1:22000`. */
  readonly origin: string
  /** Stops the launcher (and with it every process it runs) and removes the data. Safe to call more than once. */
  stop(): Promise<void>
}

/**
 * Starts `node tools/launcher/dist/main.js --base-port <basePort>` with its embedded PostgreSQL
 * data in a fresh temporary folder, and resolves once it prints "Storefront is up": the services
 * on basePort..basePort+3, the BFF on basePort+1000. Rejects, with the end of the launcher's
 * output, when it exits first or takes longer than 90 s; nothing is left running then.
 */
export async function startStorefrontSystem(basePort: number): Promise<StorefrontSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sf-lighthouse-'))
  const tail: string[] = []
  let markUp: () => void = () => undefined
  const up = new Promise<void>((resolve) => {
    markUp = resolve
  })
  const launcher = NodeProcess.start({
    script: join(repoRoot, 'tools/launcher/dist/main.js'),
    args: ['--base-port', String(basePort), '--data-dir', dataDir],
    cwd: repoRoot,
    // Warnings only: the services' request logs would cost CPU the pages are measured with.
    env: { ...stringEnv(process.env), LOG_LEVEL: 'warn', FORCE_COLOR: '0' },
    onLine: (line) => {
      tail.push(line)
      if (tail.length > TAIL_LINES) {
        tail.shift()
      }
      if (line.includes(UP_LINE)) {
        markUp()
      }
    },
  })
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= launcher.stop({ graceMs: STOP_GRACE_MS }).then(() => {
      rmSync(dataDir, { recursive: true, force: true })
    })
    return stopped
  }
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    up.then(() => 'up' as const),
    launcher.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout')
      }, UP_TIMEOUT_MS)
    }),
  ])
  clearTimeout(timer)
  if (outcome !== 'up') {
    await stop()
    throw new Error(`the system did not start (${outcome === 'exited' ? 'the launcher exited' : `not up after ${UP_TIMEOUT_MS / 1000} s`}):\n${tail.join('\n')}`)
  }
  return { origin: `http://127.0.0.1:${basePort + 1000}`, stop }
}

/** The environment with its unset entries left out, as a child's environment must be given. */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}
