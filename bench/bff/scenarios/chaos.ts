import { nearestRank } from '../../lib/load.js'
import { labelOf, readPageBody } from '../page-answer.js'
import { loadPages, pageRow } from '../page-load.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import { type ScenarioContext, type StorefrontSystem, startSystem } from '../storefront-system.js'

/** The contract's unstable inventory (docs/spec/api.md). */
const INVENTORY_DELAY = '0-5000'
/** Products' budget plus inventory's (1000 ms each by default) bound a page; this is the p99 allowed. */
const P99_LIMIT_MS = 1100
const SCENARIO = `chaos: inventory delays ${INVENTORY_DELAY} ms`

/**
 * The healthy system's products, cart and favorites behind a second BFF (default budgets) whose
 * inventory waits 0-5 s before each answer. Every page must come back within the budget and only
 * inventory may be missing from it. No warm-up: the first timeouts, before the BFF's inventory
 * breaker opens, are part of what a user sees.
 */
export async function measureChaos(context: ScenarioContext, healthy: StorefrontSystem): Promise<ScenarioOutcome> {
  const { fleet, plan } = context
  const inventory = await fleet.startService('inventory', { FAULT_DELAY_MS: INVENTORY_DELAY }, 'inventory-slow')
  try {
    const system = await startSystem(fleet, { ...healthy.downstreams, inventory }, 'bff-chaos')
    try {
      let degraded = 0
      let beyondInventory = 0
      // The pages that waited for inventory's budget to run out: the slow path the budget bounds.
      const waitedLabels = new Set<string>()
      const measured = await loadPages(context, system, {
        connections: plan.chaosConnections,
        durationS: plan.chaosS,
        warmupS: 0,
        classify: (status, body) => {
          const page = readPageBody(status, body)
          if (page.degraded.length > 0) {
            degraded++
          }
          if (page.degraded.some((part) => part !== 'inventory')) {
            beyondInventory++
          }
          const label = labelOf(page)
          if (page.reasons.inventory === 'timeout') {
            waitedLabels.add(label)
          }
          return label
        },
      })
      const { result } = measured
      const waited = Float64Array.from([...waitedLabels].flatMap((label) => [...(result.latenciesByLabel.get(label) ?? [])])).sort()
      const waitedText = waited.length === 0
        ? 'none waited for the inventory budget'
        : `the ${waited.length} that waited out the inventory budget: p50 ${nearestRank(waited, 0.5).toFixed(1)} ms, slowest ${(waited.at(-1) ?? 0).toFixed(1)} ms`
      const problems = [...result.byLabel.keys()].filter((label) => !label.startsWith('200')).map((label) => `${SCENARIO}: ${result.byLabel.get(label)} answer(s) were ${label}`)
      if (result.errors > 0) {
        problems.push(`${SCENARIO}: ${result.errors} connection error(s) on the BFF`)
      }
      return {
        rows: [pageRow(SCENARIO, system, plan.chaosConnections, measured, `no warm-up; ${degraded} of ${result.answers} pages degraded; slowest ${result.maxMs.toFixed(0)} ms`)],
        verdicts: [
          {
            target: `chaos p99 ≤ ${P99_LIMIT_MS} ms`,
            measured: `${result.p99Ms.toFixed(1)} ms over ${result.answers} answers; ${waitedText}`,
            met: result.p99Ms <= P99_LIMIT_MS,
          },
          {
            target: 'chaos: no page degraded beyond inventory',
            measured: `${beyondInventory} of ${result.answers} answers had anything but "inventory" in degraded (${degraded} degraded in all)`,
            met: beyondInventory === 0 && result.answers > 0,
          },
        ],
        notes: [],
        problems,
      }
    } finally {
      await fleet.stop(system.bff)
    }
  } finally {
    await fleet.stop(inventory)
  }
}
