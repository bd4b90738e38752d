/**
 * Load benchmark of the BFF's `GET /products/all`, judged against its targets: `npm run bench`
 * from the root.
 *
 * Starts the four services (each on a fresh database of one embedded PostgreSQL server in a
 * temporary folder), the BFFs and a bare Fastify hello-world as their own processes on
 * system-chosen 127.0.0.1 ports, signs in as user 1, and measures in one run:
 *
 * 1. the healthy page at the BFF's defaults (catalogue and stock cached);
 * 2. the page with the BFF's caches off, at 32 connections and at one beside products and
 *    inventory alone;
 * 3. a catalogue of 10 000 products: the whole page at one connection, and pages of 48 walked
 *    through `next_after` at 32 connections;
 * 4. products stopped: stale pages from the catalogue the BFF holds, and 503s from a BFF with
 *    `STALE_IF_ERROR_MS=0`;
 * 5. what tracing costs: systems without the OpenTelemetry SDK, at its defaults (nothing
 *    exported) and exporting every span, loaded in turn (`scenarios/tracing.ts`);
 * 6. the kit's client-side throttle, without the fleet: an `UpstreamClient` against a fake
 *    downstream failing 10%, 50%, 90% then 100% of calls, then healthy again, beside the same
 *    client with `throttle: false` (`scenarios/client-throttle.ts`).
 *
 * The hello-world is loaded the same way just before each scenario's runs, and every target is
 * printed beside its figure with the ratio, `met` or `MISSED` and the gap. Every answer is
 * checked; a wrong one makes the run invalid (exit 1). `--check` also exits 2 when a target is
 * missed; `--quick` is a short smoke run; `--only healthy,catalogue` runs only the scenarios named
 * (and starts only what they need); `--update-readme` writes the tables into
 * services/bff/README.md; `--cpu-prof` profiles every child. Every child is stopped at the end,
 * Ctrl-C included.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { describeLoad, describePlatform, loadAverage } from '../lib/machine.js'
import { progressLog } from '../lib/progress-log.js'
import { publishFigures } from '../lib/readme-block.js'
import { type BenchPlan, FULL_PLAN, QUICK_PLAN } from './bench-plan.js'
import { buildBenchReport } from './bench-report.js'
import type { ScenarioOutcome } from './scenario-outcome.js'
import { measureAddedLatency } from './scenarios/added-latency.js'
import { measureCatalogue } from './scenarios/catalogue.js'
import { measureClientThrottle } from './scenarios/client-throttle.js'
import { measureHealthy } from './scenarios/healthy.js'
import { measureOverload } from './scenarios/overload.js'
import { measureProductsDown } from './scenarios/products-down.js'
import { measureTracing } from './scenarios/tracing.js'
import { CACHING_OFF, measureUncached } from './scenarios/uncached.js'
import { StorefrontFleet } from './storefront-fleet.js'
import { type ScenarioContext, startDownstreams, startSystem } from './storefront-system.js'

const root = new URL('../../../', import.meta.url)
/** The scenarios on the Storefront fleet, in the order they run; `--only` picks among them. */
const FLEET_SCENARIOS = ['healthy', 'uncached', 'added-latency', 'tracing', 'catalogue', 'overload', 'products-down'] as const
const SCENARIOS: readonly string[] = [...FLEET_SCENARIOS, 'throttle']
const startedAt = performance.now()
const log = progressLog()

process.exitCode = await main()

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'update-readme': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  })
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN
  const only = new Set(args.only?.flatMap((list) => list.split(',')) ?? SCENARIOS)
  const unknown = [...only].filter((name) => !SCENARIOS.includes(name))
  if (unknown.length > 0) {
    log(`bench:bff: no scenario ${unknown.join(', ')}; --only takes ${SCENARIOS.join(', ')}`)
    return 1
  }
  if (args.only !== undefined && args['update-readme']) {
    log('bench:bff: --update-readme writes the whole run\'s tables, not those of --only')
    return 1
  }
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
    if (FLEET_SCENARIOS.some((name) => only.has(name))) {
      outcomes.push(...await measureOnFleet(fleet, { plan, signal: interrupt.signal, log }, only, notes))
    }
    if (only.has('throttle')) {
      outcomes.push(await measureClientThrottle({ plan, signal: interrupt.signal, log }))
    }
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
  const setup = describeSetup(plan, args.quick)
  const allNotes = [...notes, ...report.notes]
  const tables = [report.targets, report.summary, report.runs, ...report.tables].filter((table) => table !== '')
  console.log(`\n${machine}\n${setup}\n\n${tables.join('\n\n')}${allNotes.length === 0 ? '' : `\n\n${allNotes.join('\n')}`}`)

  if (profileDir !== undefined) {
    console.log(`\nCPU profiles of the services, the BFFs and the hello-world (open in Chrome DevTools): ${profileDir}`)
  }
  const exitCode = publishFigures({
    valid: !report.invalid,
    updateReadme: args['update-readme'],
    root,
    readme: 'services/bff/README.md',
    command: 'npm run bench -- --update-readme',
    machine,
    setup,
    lines: [
      ...tables.flatMap((table, index) => (index === 0 ? [table] : ['', table])),
      ...(allNotes.length === 0 ? [] : ['', ...allNotes.map((note) => `- ${note}`)]),
    ],
  })
  if (exitCode === 0 && args.check && report.missed > 0) {
    console.log(`\n--check: ${report.missed} target(s) missed.`)
    return 2
  }
  return exitCode
}

/**
 * The scenarios of the Storefront fleet that `only` names, in their order: the hello-world, the
 * services and each BFF are started only when a scenario named needs them.
 */
async function measureOnFleet(fleet: StorefrontFleet, base: Omit<ScenarioContext, 'fleet' | 'hello'>, only: ReadonlySet<string>, notes: string[]): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = []
  const hello = await fleet.startHelloWorld()
  const context: ScenarioContext = { ...base, fleet, hello }
  const downstreams = await startDownstreams(fleet)
  const healthy = only.has('healthy') || only.has('catalogue') || only.has('overload') || only.has('products-down') ? await startSystem(fleet, downstreams, 'bff') : undefined
  if (healthy?.visitor.note !== undefined) {
    notes.push(healthy.visitor.note)
    base.log(healthy.visitor.note)
  }
  if (healthy !== undefined && only.has('healthy')) {
    outcomes.push(await measureHealthy(context, healthy))
  }
  if (only.has('uncached') || only.has('added-latency')) {
    const uncached = await startSystem(fleet, downstreams, 'bff-uncached', CACHING_OFF)
    if (only.has('uncached')) {
      outcomes.push(await measureUncached(context, uncached))
    }
    if (only.has('added-latency')) {
      outcomes.push(await measureAddedLatency(context, uncached))
    }
    await fleet.stop(uncached.bff)
  }
  if (only.has('tracing')) {
    outcomes.push(await measureTracing(context))
  }
  if (healthy !== undefined && only.has('catalogue')) {
    outcomes.push(await measureCatalogue(context, healthy))
  }
  if (healthy !== undefined && only.has('overload')) {
    outcomes.push(await measureOverload(context, healthy))
  }
  // Last: it stops the healthy system's products.
  if (healthy !== undefined && only.has('products-down')) {
    outcomes.push(await measureProductsDown(context, healthy))
  }
  return outcomes
}

/** How the run was set up: the report's second line. */
function describeSetup(plan: BenchPlan, quick: boolean): string {
  const durations = quick
    ? 'quick run (--quick): short runs, rough figures'
    : `${plan.warmupS} s warm-up + ${plan.loadedS} s per run at ${plan.connections} connections, + ${plan.singleS} s at one`
  return 'autocannon in the benchmark\'s process on 127.0.0.1 (keep-alive, pipelining 1); each service, BFF and the hello-world (bare Fastify, `{"hello":"world"}`) '
    + 'in its own process; the services on one embedded PostgreSQL server; LOG_LEVEL=warn; the BFFs at their defaults (budgets 1000 ms, catalogue cached 1000 ms, '
    + `stock 250 ms, stale-if-error 300 s) unless a row says otherwise; the hello-world loaded the same way just before each scenario's runs; ${durations}`
}
