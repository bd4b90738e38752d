import { setTimeout } from 'node:timers/promises'

import type { FaultSettingsBody } from '@storefront/service-kit'

import { fetchPage } from '../bff/page-answer.js'
import { type DownstreamName, type StorefrontFleet, originOf } from '../bff/storefront-fleet.js'
import type { StorefrontSystem } from '../bff/storefront-system.js'
import { type OpenLoop, startOpenLoop } from '../lib/open-loop.js'
import type { RunningProcess } from '../lib/service-process.js'
import type { ChaosPlan } from './chaos-plan.js'
import { pageKind } from './page-kind.js'

/** What every chaos scenario gets. */
export interface ChaosContext {
  readonly fleet: StorefrontFleet
  readonly plan: ChaosPlan
  /** The BFF and the signed-in visitor whose pages are requested. */
  readonly system: StorefrontSystem
  /** The services running now: a scenario that restarts one puts the new process here. */
  readonly services: Record<DownstreamName, RunningProcess>
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal
  readonly log: (line: string) => void
}

/** Requests the visitor's `GET /products/all` at `ratePerSecond` (the plan's by default), open loop. */
export function startPageLoad(context: ChaosContext, ratePerSecond = context.plan.ratePerSecond): OpenLoop {
  return startOpenLoop({ url: `${context.system.bffOrigin}/products/all`, headers: context.system.visitor.headers, ratePerSecond, classify: pageKind })
}

/** Whole pages in a row that say the system has settled. */
const SETTLED_PAGES = 5

/**
 * Requests pages one at a time until {@link SETTLED_PAGES} in a row are whole (a scenario before
 * may have left a breaker open), for up to the plan's `settleS`; returns the seconds it took, or
 * undefined when the pages were still not whole then. A plan without settling returns 0 at once.
 */
export async function settle(context: ChaosContext): Promise<number | undefined> {
  const { plan, system } = context
  const startedAt = performance.now()
  let inRow = 0
  while (plan.settleS > 0 && inRow < SETTLED_PAGES) {
    if (performance.now() - startedAt > plan.settleS * 1000) {
      return undefined
    }
    const page = await fetchPage(system.bffOrigin, system.visitor.headers)
    inRow = page.status === 200 && page.degraded.length === 0 ? inRow + 1 : 0
    await pause(context, 0.1)
  }
  return (performance.now() - startedAt) / 1000
}

/** Waits `s` seconds, or rejects on Ctrl-C. */
export function pause(context: ChaosContext, s: number): Promise<void> {
  return setTimeout(s * 1000, undefined, { signal: context.signal })
}

/** Switches a service's fault injection (`PUT /ops/faults`, which `FAULT_CONTROL=true` opens) with the service token. */
export async function setFaults(context: ChaosContext, name: DownstreamName, faults: FaultSettingsBody): Promise<void> {
  const response = await fetch(`${originOf(context.services[name])}/ops/faults`, {
    method: 'PUT',
    headers: { 'authorization': `Bearer ${context.fleet.serviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  })
  if (response.status !== 200) {
    throw new Error(`PUT /ops/faults on ${name} answered ${response.status}: ${(await response.text()).slice(0, 200)}`)
  }
}

/** No fault: what {@link setFaults} switches back to. */
export const NO_FAULTS: FaultSettingsBody = { delay_ms: null, error_rate: 0 }
