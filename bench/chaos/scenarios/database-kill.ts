import { atMost } from '../../lib/judgement.js'
import { sentBetween } from '../answer-stats.js'
import { addToCart, CHECKED_PRODUCT, checkedQuantity } from '../cart-writes.js'
import { type ChaosContext, pause, startPageLoad } from '../chaos-context.js'
import type { ChaosOutcome } from '../chaos-outcome.js'
import { noFailures, recoveredWithin } from '../objectives.js'

const SCENARIO = 'SIGKILL PostgreSQL'

/** How often a cart add is tried while the database is down, in ms. */
const ADD_EVERY_MS = 250

/**
 * Kills the PostgreSQL server every service uses with SIGKILL under a steady load of pages, tries
 * cart adds while it is down, and starts it again (it recovers from its WAL). The promise: pages
 * degrade or go stale but never fail (no 5xx), every page is whole again within `RECOVERY_S` of
 * the restart, and every cart add acknowledged (201), before the kill or during it, is in the cart
 * afterwards.
 */
export async function killDatabase(context: ChaosContext): Promise<ChaosOutcome> {
  const { fleet, plan, system, log } = context
  const { bffOrigin, visitor } = system
  const quantityBefore = await checkedQuantity(bffOrigin, visitor)
  const load = startPageLoad(context)
  try {
    await pause(context, plan.beforeS)
    let acknowledged = (await addToCart(bffOrigin, visitor)) ? 1 : 0
    let tried = 1
    const killedAt = performance.now()
    log(`${SCENARIO}: killing the server`)
    await fleet.killDatabase()
    const downUntil = performance.now() + plan.downS * 1000
    while (performance.now() < downUntil) {
      tried++
      acknowledged += (await addToCart(bffOrigin, visitor)) ? 1 : 0
      await pause(context, ADD_EVERY_MS / 1000)
    }
    await fleet.restartDatabase()
    const readyAt = performance.now()
    log(`${SCENARIO}: accepting connections again after ${((readyAt - killedAt) / 1000).toFixed(2)} s`)
    await pause(context, plan.afterS)
    const answers = await load.stop()
    const quantityAfter = await checkedQuantity(bffOrigin, visitor)
    const lost = Math.max(0, quantityBefore + acknowledged - quantityAfter)
    return {
      scenario: SCENARIO,
      answers,
      objectives: [
        noFailures(answers, 'over the whole scenario'),
        recoveredWithin(sentBetween(answers, killedAt), readyAt, 'the restart'),
        {
          measure: `acknowledged cart adds lost (product ${CHECKED_PRODUCT}: ${quantityBefore} before, ${acknowledged} of ${tried} adds acknowledged, ${quantityAfter} after)`,
          figure: String(lost),
          limit: '0',
          judgement: atMost(lost, 0, String),
        },
      ],
      notes: [`${SCENARIO}: down for ${((readyAt - killedAt) / 1000).toFixed(2)} s (${plan.downS} s, then the start and WAL recovery); ${plan.beforeS} s of load before, ${plan.afterS} s after.`],
    }
  } finally {
    await load.stop()
  }
}
