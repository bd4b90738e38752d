import type { DownstreamName } from '../../bff/storefront-fleet.js'
import { sentBetween } from '../answer-stats.js'
import { type ChaosContext, pause, startPageLoad } from '../chaos-context.js'
import type { ChaosOutcome } from '../chaos-outcome.js'
import { degradedOnlyIn, noFailures, recoveredWithin } from '../objectives.js'

/**
 * Kills one service with SIGKILL under a steady load of pages, leaves it down for the plan's
 * `downS`, and starts it again on the same port and database, as a supervisor would. The BFF holds
 * a catalogue and stock read before (`STALE_IF_ERROR_MS` at its default of 300 s), so the promise
 * is: no 5xx at all (a products kill gives stale 200s), pages degraded only in the killed part,
 * and every page whole again within `RECOVERY_S` of the restart.
 */
export async function killService(context: ChaosContext, name: DownstreamName): Promise<ChaosOutcome> {
  const { fleet, plan, services, log } = context
  const scenario = `SIGKILL ${name}`
  const load = startPageLoad(context)
  try {
    await pause(context, plan.beforeS)
    const killedAt = performance.now()
    log(`${scenario}: killing pid ${services[name].pid}`)
    await fleet.kill(services[name])
    await pause(context, plan.downS)
    services[name] = await fleet.restart(services[name])
    const readyAt = performance.now()
    log(`${scenario}: ready again after ${((readyAt - killedAt) / 1000).toFixed(2)} s`)
    await pause(context, plan.afterS)
    const answers = await load.stop()
    const fromKill = sentBetween(answers, killedAt)
    return {
      scenario,
      answers,
      objectives: [noFailures(answers, 'over the whole scenario'), degradedOnlyIn(fromKill, name), recoveredWithin(answers, readyAt, 'the restart')],
      notes: [`${scenario}: down for ${((readyAt - killedAt) / 1000).toFixed(2)} s (${plan.downS} s, then the start until ready); ${plan.beforeS} s of load before, ${plan.afterS} s after.`],
    }
  } finally {
    await load.stop()
  }
}
