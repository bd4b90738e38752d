import type { FaultSettingsBody } from '@storefront/service-kit'

import type { DownstreamName } from '../../bff/storefront-fleet.js'
import type { Answer } from '../../lib/open-loop.js'
import { sentBetween } from '../answer-stats.js'
import { type ChaosContext, NO_FAULTS, pause, setFaults, startPageLoad } from '../chaos-context.js'

/** The answers of a load with a fault switched on partway and off again. */
export interface FaultRun {
  readonly answers: readonly Answer[]
  /** The answers to pages sent while the fault was on. */
  readonly during: readonly Answer[]
  /** When the fault was switched off, on the `performance.now()` clock. */
  readonly offAt: number
}

/**
 * Loads pages for the plan's `beforeS`, switches `faults` on in `name` for `faultS`, off again, and
 * loads for `afterS` more: the window recovery must come in.
 */
export async function runWithFault(context: ChaosContext, name: DownstreamName, faults: FaultSettingsBody): Promise<FaultRun> {
  const { plan } = context
  const load = startPageLoad(context)
  try {
    await pause(context, plan.beforeS)
    await setFaults(context, name, faults)
    const onAt = performance.now()
    await pause(context, plan.faultS)
    await setFaults(context, name, NO_FAULTS)
    const offAt = performance.now()
    await pause(context, plan.afterS)
    const answers = await load.stop()
    return { answers, during: sentBetween(answers, onAt, offAt), offAt }
  } finally {
    // A failed switch must not leave the fault on for the scenarios after.
    await setFaults(context, name, NO_FAULTS).catch(() => {})
    await load.stop()
  }
}
