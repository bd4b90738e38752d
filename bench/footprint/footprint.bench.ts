/**
 * Footprint of `npm start`: `npm run bench:footprint` from the root.
 *
 * Runs the launcher as `npm start` does (`node tools/launcher/dist/main.js`, here with
 * `--base-port` and a fresh `--data-dir` in a temporary folder) and measures, in one run:
 *
 * 1. the time from its spawn to "Storefront is up" on the fresh data directory (initdb, roles and
 *    databases, migrations and demo rows included);
 * 2. the memory of its whole process tree (launcher, services, BFF, PostgreSQL and its backends)
 *    after a few seconds idle: the RSS sum and the PSS sum (the one judged, see the README);
 * 3. the peak of the same while autocannon loads the BFF's `GET /products/all` as user 1;
 * 4. after a SIGTERM, the time to "up" again on the same data (warm), a few times.
 *
 * It prints a table of each figure beside its target (`met`, or `MISSED` and the gap), the memory
 * of each part, and where each start spent its time. Only 127.0.0.1 is used; the launcher and every
 * process below it are stopped, and the temporary folder removed, at the end, Ctrl-C included.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'

import { runLoad } from '../lib/load.js'
import { describeLoad, describePlatform, loadAverage } from '../lib/machine.js'
import { progressLog } from '../lib/progress-log.js'
import { publishFigures } from '../lib/readme-block.js'
import { BENCH_USER, signIn } from '../lib/sign-in.js'
import { type FootprintRun, type TimedStart, buildFootprintReport } from './footprint-report.js'
import { type RunningLauncher, startLauncher } from './launcher-process.js'
import { sampleWhile } from './memory-peak.js'
import { assertPortsFree, launcherPorts } from './ports.js'
import { snapshotTree } from './process-memory.js'

const CONNECTIONS = 32
/** How often memory is read during the load, in ms. */
const SAMPLE_MS = 250
const UP_TIMEOUT_MS = 90_000
const root = new URL('../../../', import.meta.url)
const entry = new URL('tools/launcher/dist/main.js', root)
const log = progressLog()

try {
  process.exitCode = await main()
} catch (error) {
  // Bad options, a busy port: one line, not a stack.
  log(`bench:footprint: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      'base-port': { type: 'string', default: '21000' },
      idle: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      'warm-starts': { type: 'string', default: '3' },
      verbose: { type: 'boolean', default: false },
      'update-readme': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const basePort = wholeNumber('--base-port', args['base-port'], 1024, 65_535 - 1000)
  const idleS = wholeNumber('--idle', args.idle, 0, 600)
  const durationS = wholeNumber('--duration', args.duration, 1, 600)
  const warmStarts = wholeNumber('--warm-starts', args['warm-starts'], 1, 20)
  await assertPortsFree(launcherPorts(basePort))

  const loadAtStart = loadAverage()
  const dataDir = mkdtempSync(join(tmpdir(), 'storefront-footprint-'))
  const interrupt = new AbortController()
  let current: RunningLauncher | undefined
  const onInterrupt = (): void => {
    if (interrupt.signal.aborted) {
      log('interrupted again: still stopping the launcher')
      return
    }
    log('interrupted: stopping the launcher')
    interrupt.abort(new Error('interrupted'))
  }
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)
  const launch = async (label: string): Promise<RunningLauncher> => {
    log(`${label}: node tools/launcher/dist/main.js --base-port ${basePort} --data-dir ${dataDir}`)
    current = await startLauncher({
      entry, cwd: root, basePort, dataDir, env: launcherEnv(), upTimeoutMs: UP_TIMEOUT_MS, signal: interrupt.signal,
      ...(args.verbose ? { onLine: (line: string) => { process.stderr.write(`  ${line}\n`) } } : {}),
    })
    log(`${label}: up in ${(current.upMs / 1000).toFixed(2)} s`)
    return current
  }
  const stopCurrent = async (): Promise<void> => {
    const launcher = current
    current = undefined
    if (launcher !== undefined) {
      const outcome = await launcher.stop()
      if (outcome !== 0) {
        log(`the launcher exited with ${outcome} after SIGTERM`)
      }
    }
  }

  let run: FootprintRun
  try {
    const fresh = await launch('fresh start')
    log(`idle ${idleS} s, then reading the memory of every process`)
    await sleep(idleS * 1000, undefined, { signal: interrupt.signal })
    const idle = snapshotTree(fresh.pid)

    const visitor = await signIn(fresh.bffOrigin, BENCH_USER)
    log(`GET /products/all as ${visitor.signedIn ? `user ${BENCH_USER}` : 'an anonymous visitor'}: ${CONNECTIONS} connections for ${durationS} s, memory read every ${SAMPLE_MS} ms`)
    const { result, peak } = await sampleWhile(fresh.pid, SAMPLE_MS, () => runLoad({
      url: `${fresh.bffOrigin}/products/all`,
      connections: CONNECTIONS,
      durationS,
      headers: visitor.headers,
      latencies: 'every',
      signal: interrupt.signal,
    }))
    interrupt.signal.throwIfAborted()
    await stopCurrent()

    const warm: TimedStart[] = []
    for (let index = 0; index < warmStarts; index++) {
      const launcher = await launch(`warm start ${index + 1} of ${warmStarts}`)
      warm.push({ upMs: launcher.upMs, milestones: launcher.milestones, cpuAtUp: launcher.cpuAtUp })
      await stopCurrent()
    }
    run = {
      fresh: { upMs: fresh.upMs, milestones: fresh.milestones, cpuAtUp: fresh.cpuAtUp },
      warm,
      idle,
      peak,
      load: {
        connections: CONNECTIONS,
        durationS,
        requestsPerSecond: result.requestsPerSecond,
        answers: result.answers,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        byStatus: result.byLabel,
        errors: result.errors,
        signedIn: visitor.signedIn,
      },
    }
  } catch (error) {
    if (interrupt.signal.aborted) {
      return 130
    }
    // A launcher that does not come up, a busy port: one line (and the launcher's last lines), not a stack.
    log(`bench:footprint: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    await stopCurrent()
    rmSync(dataDir, { recursive: true, force: true })
    process.removeListener('SIGINT', onInterrupt)
    process.removeListener('SIGTERM', onInterrupt)
  }

  const report = buildFootprintReport(run)
  const machine = `${describePlatform()}; ${describeLoad(loadAtStart)}`
  const setup = `the launcher as npm start runs it, on a fresh data directory then the same one ${warmStarts} time(s); memory after ${idleS} s idle and at the peak of ${durationS} s of load; MB = 10^6 bytes; PSS is judged (RSS counts PostgreSQL's shared buffers and the shared code once per process)`
  console.log(`\n${machine}\n${setup}\n\n${report.table}\n\nMemory by part (idle, and at the load's PSS peak):\n\n${report.breakdown}\n\nSeconds from the spawn to each line of the launcher:\n\n${report.phases}\n\nCPU seconds each part had used at "up" (initdb's in the launcher's; two cores):\n\n${report.startCpu}\n\n${report.notes.join('\n')}`)
  return publishFigures({
    valid: !report.invalid,
    updateReadme: args['update-readme'],
    root,
    readme: 'bench/README.md',
    command: 'npm run bench:footprint -- --update-readme',
    machine,
    setup,
    lines: [
      report.table,
      '',
      report.breakdown,
      '',
      report.phases,
      '',
      report.startCpu,
      '',
      ...report.notes.map((note) => `- ${note}`),
    ],
  })
}

/**
 * The launcher's environment: only what a shell always has, so nothing exported there (a
 * `DATABASE_URL`, `LOG_LEVEL`, `DB_POOL_MAX`, fault injection) changes the figures; and the BFF's
 * per-address rate limit lifted, since every load connection comes from 127.0.0.1 and would
 * otherwise be answered 429 after 1 200 pages.
 */
function launcherEnv(): Record<string, string> {
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '100000000' }
  for (const name of ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR']) {
    const value = process.env[name]
    if (value !== undefined) {
      env[name] = value
    }
  }
  return env
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const value = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= min && value <= max)) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`)
  }
  return value
}
