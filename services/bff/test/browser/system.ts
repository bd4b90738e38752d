import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { STOREFRONT_SERVICES } from '@storefront/service-kit'
import { type Browser, chromium } from 'playwright-core'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

/** Debian's Chromium; `STOREFRONT_CHROMIUM` points elsewhere. */
const CHROMIUM = process.env.STOREFRONT_CHROMIUM ?? '/usr/bin/chromium'

/** The flags a container without a display or sandbox needs. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

/** What the browser tests need that is built, not in the sources. */
const BUILT = ['tools/launcher/dist/main.js', 'services/bff/dist/server.js', 'services/bff/dist/web/storefront.js', 'services/products/dist/server.js']

/**
 * Why the browser tests cannot run here, or `undefined` when they can. Without Chromium they are
 * skipped with this reason, unless `STOREFRONT_TEST_REQUIRE_BROWSER=1` (CI) makes that an error.
 */
export function browserTestsUnavailable(): string | undefined {
  let reason: string | undefined
  if (!existsSync(CHROMIUM)) {
    reason = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set STOREFRONT_CHROMIUM)`
  } else {
    const missing = BUILT.filter((path) => !existsSync(join(repoRoot, path)))
    if (missing.length > 0) {
      reason = `the system is not built (missing ${missing.join(', ')}): run npm run build first`
    }
  }
  if (reason !== undefined && process.env.STOREFRONT_TEST_REQUIRE_BROWSER === '1') {
    throw new Error(`Browser tests required (STOREFRONT_TEST_REQUIRE_BROWSER=1) but ${reason}`)
  }
  return reason
}

/** Starts headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** A whole Storefront (four services and the BFF) started by the launcher, as `npm start` does. */
export interface RunningSystem {
  /** The BFF's origin. */
  readonly url: string
  /** Sets a service's fault injection through the BFF's fault control. */
  setFaults(downstream: string, settings: { delay_ms: string | null; error_rate: number }): Promise<void>
  /** Clears every service's faults. */
  clearFaults(): Promise<void>
  /** Everything it printed, for a failing test's report. */
  output(): string
  stop(): Promise<void>
}

/** Options of {@link startSystem}. */
export interface SystemOptions {
  /**
   * Variables for every process, as `npm start` passes its own environment on: `SEED_PRODUCTS`
   * for a larger demo catalogue, the BFF's cache settings.
   */
  readonly env?: Readonly<Record<string, string>>
}

/** Starts the system on `basePort`..+3 and basePort+1000, with embedded databases in a temporary folder. */
export async function startSystem(basePort: number, options: SystemOptions = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sf-browser-'))
  const launcher: ChildProcess = spawn(process.execPath, [join(repoRoot, 'tools/launcher/dist/main.js'), '--base-port', String(basePort), '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  launcher.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  launcher.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<void>((resolve) => launcher.once('exit', () => { resolve() }))
  const url = `http://127.0.0.1:${basePort + 1000}`
  const until = Date.now() + 60_000
  while (!output.includes('Storefront is up')) {
    if (launcher.exitCode !== null || Date.now() > until) {
      launcher.kill('SIGKILL')
      throw new Error(`the system did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const setFaults = async (downstream: string, settings: { delay_ms: string | null; error_rate: number }): Promise<void> => {
    const response = await fetch(`${url}/ops/faults/${downstream}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) })
    if (!response.ok) {
      throw new Error(`setting faults on ${downstream} answered ${response.status}: ${await response.text()}`)
    }
  }
  return {
    url,
    setFaults,
    clearFaults: async () => {
      for (const downstream of STOREFRONT_SERVICES) {
        await setFaults(downstream, { delay_ms: null, error_rate: 0 })
      }
    },
    output: () => output,
    stop: async () => {
      launcher.kill('SIGINT')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))])
      if (launcher.exitCode === null) {
        launcher.kill('SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
