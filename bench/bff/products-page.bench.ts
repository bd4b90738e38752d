/**
 * Load benchmark of the BFF's `GET /products/all`: `npm run bench` from the root.
 *
 * Starts the four services (each on a fresh embedded database in a temporary folder) and the BFF
 * as their own processes on system-chosen 127.0.0.1 ports, signs in as user 1, and measures in one
 * run, one table:
 *
 * 1. the healthy page beside products alone and inventory alone (its sequential path);
 * 2. the page while inventory waits 0-5 s before each answer (default budgets of 1 s);
 * 3. catalogues of 1 000 to 10 000 products: inventory calls per page and latency per size;
 * 4. products stopped: the page once the BFF's products breaker is open.
 *
 * Each target gets a verdict line. `--quick` is a short smoke run; `--update-readme` writes the
 * table into services/bff/README.md;
 * `--cpu-prof` profiles every child. Every child is stopped at the end, Ctrl-C included.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { describeLoad, describePlatform, loadAverage } from '../lib/machine.js'
import { publishFigures } from '../lib/readme-block.js'
import { FULL_PLAN, QUICK_PLAN } from './bench-plan.js'
import { buildBenchReport } from './bench-report.js'
import type { ScenarioOutcome } from './scenario-outcome.js'
import { measureCatalogues } from './scenarios/catalogue.js'
import { measureChaos } from './scenarios/chaos.js'
import { measureHealthy } from './scenarios/healthy.js'
import { measureProductsDown } from './scenarios/products-down.js'
import { StorefrontFleet } from './storefront-fleet.js'
import { type ScenarioContext, startDownstreams, startSystem } from './storefront-system.js'

const root = new URL('../../../', import.meta.url)
const startedAt = performance.now()
// Progress on stderr with the time since the start, so a slow step shows; the report goes to stdout.
const log = (line: string): void => {
  process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}\n`)
}

process.exitCode = await main()

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'update-readme': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN
  // Other work on the machine moves every figure: say how busy it was.
  const loadAtStart = loadAverage()

  const profileDir = args['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'storefront-bench-bff-profiles-')) : undefined
  const fleet = new StorefrontFleet(root, log, (label) => (profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`]))
  const interrupt = new AbortController()
  const onInterrupt = (): void => {
    log('interrupted: stopping every service')
    interrupt.abort(new Error('interrupted'))
    void fleet.stopAll()
  }
  process.on('SIGINT', onInterrupt)
  const outcomes: ScenarioOutcome[] = []
  const notes: string[] = []
  try {
    const context: ScenarioContext = { fleet, plan, signal: interrupt.signal, log }
    const healthy = await startSystem(fleet, await startDownstreams(fleet), 'bff')
    if (healthy.visitor.note !== undefined) {
      notes.push(healthy.visitor.note)
      log(healthy.visitor.note)
    }
    outcomes.push(await measureHealthy(context, healthy))
    outcomes.push(await measureChaos(context, healthy))
    outcomes.push(await measureCatalogues(context, healthy))
    // Last: it stops the healthy system's products.
    outcomes.push(await measureProductsDown(context, healthy))
  } catch (error) {
    if (interrupt.signal.aborted) {
      return 130
    }
    // A service that does not start, a busy machine's timeout: one line, not a stack.
    log(`bench:bff: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    await fleet.stopAll()
    process.removeListener('SIGINT', onInterrupt)
  }

  const report = buildBenchReport(outcomes)
  const elapsedS = (performance.now() - startedAt) / 1000
  const machine = `${describePlatform()}; ${describeLoad(loadAtStart)}; ${elapsedS.toFixed(0)} s in all`
  const setup = `autocannon in the benchmark's process on 127.0.0.1 (keep-alive, pipelining 1), each service and the BFF in its own process on an embedded PGlite database, LOG_LEVEL=warn, default budgets (1000 ms); ${args.quick ? 'quick run (--quick): short runs, figures are rough' : `${plan.warmupS} s warm-up + ${plan.healthyS} s per healthy run, ${plan.chaosS} s under chaos, ${plan.catalogueS} s per catalogue, ${plan.downS} s with products down`}`
  const allNotes = [...notes, ...report.notes]
  console.log(`\n${machine}\n${setup}\n\n${report.table}\n\n${report.verdicts.join('\n')}${allNotes.length === 0 ? '' : `\n\n${allNotes.join('\n')}`}`)

  if (profileDir !== undefined) {
    console.log(`\nCPU profiles of the services and BFFs (open in Chrome DevTools): ${profileDir}`)
  }
  return publishFigures({
    valid: !report.invalid,
    updateReadme: args['update-readme'],
    root,
    readme: 'services/bff/README.md',
    command: 'npm run bench -- --update-readme',
    machine,
    setup,
    lines: [
      report.table,
      '',
      ...report.verdicts.map((line) => `- ${line}`),
      ...(allNotes.length === 0 ? [] : ['', ...allNotes.map((note) => `- ${note}`)]),
    ],
  })
}
