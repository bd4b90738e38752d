/**
 * A scripted fault run against the whole system, each fault judged against what the system
 * promises under it: `npm run chaos` from the root.
 *
 * Starts the four services (each on a fresh database of one embedded PostgreSQL server in a
 * temporary folder, with `FAULT_CONTROL=true`) and a BFF at its defaults, as their own processes
 * on system-chosen 127.0.0.1 ports, signs in as user 1, and, under an open-loop load of pages:
 *
 * 1. makes inventory slow (0-5 s) and then products err half the time, through fault injection;
 * 2. kills products, inventory, favorites and cart in turn with SIGKILL and starts each again;
 * 3. kills the PostgreSQL server with SIGKILL and starts it again, checking cart adds;
 * 4. measures capacity and sends three times as many pages per second.
 *
 * It prints every objective with its figure and `met` or `MISSED`, and every scenario's answers by
 * kind with p50/p99, and exits 2 when an objective is missed, 1 when the run itself failed.
 * `--quick` is a short smoke run that judges nothing; `--only NAME` runs the scenarios whose name
 * starts with NAME (`overload`, `SIGKILL`, `inventory`). Every child is stopped at the end, Ctrl-C included.
 */
import { parseArgs } from 'node:util'

import { StorefrontFleet } from '../bff/storefront-fleet.js'
import { startDownstreams, startSystem } from '../bff/storefront-system.js'
import { describeLoad, describePlatform, loadAverage } from '../lib/machine.js'
import { progressLog } from '../lib/progress-log.js'
import { type ChaosContext, settle } from './chaos-context.js'
import type { ChaosOutcome } from './chaos-outcome.js'
import { FULL_PLAN, QUICK_PLAN } from './chaos-plan.js'
import { buildChaosReport } from './chaos-report.js'
import { killDatabase } from './scenarios/database-kill.js'
import { flakyProducts } from './scenarios/flaky-products.js'
import { overload } from './scenarios/overload.js'
import { killService } from './scenarios/service-kill.js'
import { slowInventory } from './scenarios/slow-inventory.js'

const root = new URL('../../../', import.meta.url)
const startedAt = performance.now()
const log = progressLog()

process.exitCode = await main()

async function main(): Promise<number> {
  const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } }, strict: true, allowPositionals: false })
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN
  const loadAtStart = loadAverage()
  const fleet = new StorefrontFleet(root, log)
  const interrupt = new AbortController()
  const onInterrupt = (): void => {
    log('interrupted: stopping every process')
    interrupt.abort(new Error('interrupted'))
    void fleet.stopAll()
  }
  process.on('SIGINT', onInterrupt)
  const outcomes: ChaosOutcome[] = []
  try {
    const downstreams = await startDownstreams(fleet, { FAULT_CONTROL: 'true' })
    const system = await startSystem(fleet, downstreams, 'bff')
    const context: ChaosContext = { fleet, plan, system, services: { ...downstreams }, signal: interrupt.signal, log }
    const scenarios: Array<[string, () => Promise<ChaosOutcome>]> = [
      ['inventory slow', () => slowInventory(context)],
      ['products erring', () => flakyProducts(context)],
      ...(['products', 'inventory', 'favorites', 'cart'] as const).map((name): [string, () => Promise<ChaosOutcome>] => [`SIGKILL ${name}`, () => killService(context, name)]),
      ['SIGKILL PostgreSQL', () => killDatabase(context)],
      ['overload', () => overload(context)],
    ]
    const chosen = scenarios.filter(([name]) => args.only === undefined || name.startsWith(args.only))
    if (chosen.length === 0) {
      log(`--only ${args.only ?? ''} matches no scenario; they are: ${scenarios.map(([name]) => name).join(', ')}`)
      return 1
    }
    for (const [, scenario] of chosen) {
      const settled = await settle(context)
      if (settled === undefined) {
        log(`pages were still not whole after ${plan.settleS} s; going on`)
      }
      const outcome = await scenario()
      log(`${outcome.scenario}: ${outcome.answers.length} pages`)
      outcomes.push(outcome)
    }
  } catch (error) {
    if (interrupt.signal.aborted) {
      return 130
    }
    log(`chaos: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    await fleet.stopAll()
    process.removeListener('SIGINT', onInterrupt)
  }

  const report = buildChaosReport(outcomes, !args.quick)
  const elapsedS = (performance.now() - startedAt) / 1000
  const setup = args.quick
    ? 'quick run (--quick): every scenario, short, nothing judged'
    : `${plan.ratePerSecond} pages/s open loop (user 1's GET /products/all), ${plan.beforeS} s before each fault, down ${plan.downS} s, faults for ${plan.faultS} s, ${plan.afterS} s after`
  const notes = outcomes.flatMap((outcome) => outcome.notes)
  console.log(`\n${describePlatform()}; ${describeLoad(loadAtStart)}; ${elapsedS.toFixed(0)} s in all\n${setup}\n\n${report.objectives}\n\n${report.answers}${notes.length === 0 ? '' : `\n\n${notes.join('\n')}`}`)
  if (report.missed > 0) {
    console.log(`\n${report.missed} objective(s) missed.`)
    return 2
  }
  return 0
}
