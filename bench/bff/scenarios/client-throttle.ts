import { setTimeout as sleep } from 'node:timers/promises'

import { Deadline, isThrottledError } from '@storefront/resilience'
import { UpstreamClient, isUpstreamError } from '@storefront/service-kit/clients'

import { formatTable } from '../../lib/format-table.js'
import { atMost } from '../../lib/judgement.js'
import type { ThrottlePlan } from '../bench-plan.js'
import { FailingDownstream, type PhaseCounts } from '../failing-downstream.js'
import type { ScenarioOutcome, Verdict } from '../scenario-outcome.js'
import type { ScenarioContext } from '../storefront-system.js'

const SCENARIO = 'client throttle'
/** The failing shares, in percent, in the order they run: a downstream failing more and more. */
const SHARES = [10, 50, 90, 100] as const
/** The throttle's k: the kit's default, which the BFF uses. */
const K = 2
/**
 * The bound on the calls reaching the downstream at each share: at most
 * `RATIO_TOLERANCE × k × accepted + TRICKLE_PER_WINDOW × windows counted`.
 *
 * - 1.1: the formula holds `requests ≤ k × accepts` in expectation only, over a window whose
 *   oldest tenth leaves it a bucket at a time (an event leaves between 0.9 and 1.0 window after it
 *   happened), and a call refused locally counts as a request: a tenth of slack covers both.
 * - 4 a window: with no accepts at all, `(requests − k × accepts) / (requests + 1)` still lets
 *   each offered call through with a chance of `1 / (requests + 1)`, about one call a window at
 *   100% failing (1.25 at 90%, where each of them is accepted one time in ten); chance spreads
 *   that count, and 4 a window puts a miss by chance alone below one run in a thousand.
 */
const RATIO_TOLERANCE = 1.1
const TRICKLE_PER_WINDOW = 4
/** Each call's deadline: far above the loopback's milliseconds. */
const CALL_BUDGET_MS = 1000
/** How often the schedule issues the calls that are due, in ms. */
const TICK_MS = 5
/** The recovery phase, whose call ids the downstreams keep. */
const RECOVERY = 'recovery'

/** The calls a client offered in a phase, and how they ended. */
interface Offers {
  offered: number
  /** Refused locally by the throttle (`ThrottledError`), never sent. */
  refused: number
  /** Answered 500. */
  failed: number
  /** Answered 200. */
  answered: number
}

/** What one phase came to, on one side. */
interface SideFigures extends Offers, PhaseCounts {}

/** A client and its own fake downstream: with the kit's throttle, or with `throttle: false`. */
class Side {
  readonly problems: string[] = []
  /** The ids and offer times of the calls of the recovery phase, in ms after it started. */
  readonly recoveryOffers: Array<readonly [id: string, atMs: number]> = []

  private readonly offers = new Map<string, Offers>()
  private readonly inflight = new Set<Promise<void>>()

  constructor(readonly client: UpstreamClient, readonly downstream: FailingDownstream) {}

  /** Sends call `id` of `phase` without waiting for it; counts how it ends. */
  offer(phase: string, id: string, atMs: number): void {
    const offers = this.offers.get(phase) ?? { offered: 0, refused: 0, failed: 0, answered: 0 }
    this.offers.set(phase, offers)
    offers.offered++
    if (phase === RECOVERY) {
      this.recoveryOffers.push([id, atMs])
    }
    const call = this.client
      .get(`/items?phase=${phase}&call=${id}`, { deadline: Deadline.after(CALL_BUDGET_MS), parse: (value) => value, route: '/items' })
      .then(
        () => {
          offers.answered++
        },
        (error: unknown) => {
          if (isThrottledError(error)) {
            offers.refused++
          } else if (isUpstreamError(error) && error.status === 500) {
            offers.failed++
          } else if (this.problems.length < 5) {
            this.problems.push(`${SCENARIO}: ${this.client.name}: call ${id} of phase ${phase} failed with ${error instanceof Error ? error.message : String(error)}`)
          }
        },
      )
      .finally(() => {
        this.inflight.delete(call)
      })
    this.inflight.add(call)
  }

  /** Waits for every call in flight. */
  async settled(): Promise<void> {
    await Promise.all(this.inflight)
  }

  /** The phase's calls as the client and as the downstream counted them. */
  figuresOf(phase: string): SideFigures {
    return { ...this.offers.get(phase) ?? { offered: 0, refused: 0, failed: 0, answered: 0 }, ...this.downstream.countsOf(phase) }
  }

  /**
   * When the last call of the recovery phase that did not reach the downstream was offered, in ms
   * after the phase started; 0 when every one reached it.
   */
  lastMissMs(): number {
    let last = 0
    for (const [id, atMs] of this.recoveryOffers) {
      if (!this.downstream.saw(RECOVERY, id)) {
        last = atMs
      }
    }
    return last
  }
}

/**
 * Calls offered on a fixed schedule, `callsPerSecond` from the first phase to the last, to both
 * sides at once (the same ids), whatever the answers: an open loop, as traffic from many callers.
 */
class Schedule {
  private readonly startedAt = performance.now()
  private issued = 0

  constructor(private readonly plan: ThrottlePlan, private readonly sides: readonly Side[], private readonly signal: AbortSignal) {}

  /**
   * Offers the calls of `phase` for `durationMs`, or until `done` has held for a tenth of a window.
   * Returns how long the phase ran, in ms.
   */
  async run(phase: string, durationMs: number, done?: () => boolean): Promise<number> {
    const phaseStart = performance.now()
    let doneSince: number | undefined
    for (;;) {
      this.signal.throwIfAborted()
      const now = performance.now()
      const due = Math.floor(((now - this.startedAt) * this.plan.callsPerSecond) / 1000) - this.issued
      for (let call = 0; call < due; call++) {
        const id = String(this.issued++)
        for (const side of this.sides) {
          side.offer(phase, id, now - phaseStart)
        }
      }
      if (done !== undefined) {
        doneSince = done() ? doneSince ?? now : undefined
        if (doneSince !== undefined && now - doneSince >= this.plan.windowMs / 10) {
          break
        }
      }
      if (now - phaseStart >= durationMs) {
        break
      }
      await sleep(TICK_MS)
    }
    await Promise.all(this.sides.map((side) => side.settled()))
    return performance.now() - phaseStart
  }
}

/**
 * Client-side throttling (the SRE book's, `AdaptiveThrottle` in the kit's `UpstreamClient`)
 * against a downstream that fails a growing share of calls: 10%, 50%, 90%, then 100%, then healthy
 * again. Two clients are loaded at once on the same schedule, each with its own fake downstream
 * (see {@link FailingDownstream}): one as the BFF builds it, with the throttle at the kit's
 * defaults (k 2 over a 10 s window, no refusal below 300 requests in it; the quick run shrinks the
 * window), and one with `throttle: false`.
 *
 * Both clients keep their breaker closed (`maxFailures: Infinity`) and make one attempt per call.
 * At the BFF's defaults the breaker opens after 5 failures in 10 s and the throttle stands aside
 * while it is open, so at any of these shares the breaker, not the throttle, would be measured;
 * and retries would send up to two more attempts for each call the throttle lets through. Here
 * what reaches the downstream is the throttle's doing.
 *
 * At each share, after {@link settleWindows} windows (so the throttle's window holds that share only),
 * the calls of `measuredWindows` windows are counted at the downstream: those reaching it must
 * stay within about k × those it accepted (see {@link RATIO_TOLERANCE}). Then the downstream
 * turns healthy, and the time until every call offered reaches it again must be within one
 * window.
 */
export async function measureClientThrottle(context: Pick<ScenarioContext, 'plan' | 'signal' | 'log'>): Promise<ScenarioOutcome> {
  const plan = context.plan.throttle
  const windowMs = plan.windowMs
  const downstreams = await Promise.all([FailingDownstream.start([RECOVERY]), FailingDownstream.start([RECOVERY])])
  const [onDownstream, offDownstream] = downstreams
  const client = (name: string, downstream: FailingDownstream, throttle: boolean): UpstreamClient => new UpstreamClient({
    name,
    url: downstream.origin,
    token: 'bench',
    breaker: { maxFailures: Infinity },
    retry: { maxAttempts: 1 },
    throttle: throttle ? { k: K, windowMs, minRequests: plan.minRequests } : false,
  })
  const on = new Side(client('throttled', onDownstream, true), onDownstream)
  const off = new Side(client('unthrottled', offDownstream, false), offDownstream)
  const schedule = new Schedule(plan, [on, off], context.signal)
  try {
    const rows: Array<readonly [string, SideFigures, SideFigures]> = []
    const verdicts: Verdict[] = []
    for (const share of SHARES) {
      onDownstream.failingPercent = share
      offDownstream.failingPercent = share
      context.log(`${SCENARIO}: downstream failing ${share}%, ${plan.callsPerSecond} calls/s, ${settleWindows(plan, share)} + ${plan.measuredWindows} window(s) of ${windowMs} ms`)
      await schedule.run(`settle-${share}`, settleWindows(plan, share) * windowMs)
      await schedule.run(String(share), plan.measuredWindows * windowMs)
      const figures = on.figuresOf(String(share))
      const unthrottled = off.figuresOf(String(share))
      rows.push([`${share}%`, figures, unthrottled])
      verdicts.push(shareVerdict(share, figures, unthrottled, plan.measuredWindows))
    }
    onDownstream.failingPercent = 0
    offDownstream.failingPercent = 0
    context.log(`${SCENARIO}: downstream healthy again, up to ${plan.maxRecoveryWindows} window(s)`)
    const ranMs = await schedule.run(RECOVERY, plan.maxRecoveryWindows * windowMs, () => on.client.throttleStats?.probability === 0)
    const recovered = on.client.throttleStats?.probability === 0
    rows.push([`0% (healthy again, ${(ranMs / 1000).toFixed(1)} s)`, on.figuresOf(RECOVERY), off.figuresOf(RECOVERY)])
    verdicts.push(recoveryVerdict(windowMs, recovered ? on.lastMissMs() : undefined, ranMs, off.lastMissMs()))
    return {
      runs: [],
      verdicts,
      notes: [
        `${SCENARIO}: two UpstreamClients, each calling its own fake downstream (node:http in the benchmark's process, 500 for an even share of the calls), at ${plan.callsPerSecond} calls/s each on one fixed schedule; `
        + `one with the throttle at k ${K}, window ${windowMs} ms, no refusal below ${plan.minRequests} requests in it, the other with throttle: false; both with the breaker kept closed and one attempt per call, `
        + `so that what reaches the downstream is the throttle's doing; at each share ${SHARES.map((share) => settleWindows(plan, share)).join(', ')} window(s) to settle, then ${plan.measuredWindows} counted.`,
        `${SCENARIO}: after failing 100% the throttle's window holds every call offered as a request and no accept, so calls come back at the pace of their own accepts: `
        + `at ${(plan.callsPerSecond * windowMs) / 1000} calls a window, ${expectedRecoveryWindows(plan).toFixed(1)} windows at the least by the formula (ln(calls a window) / 1.59, see bench/README.md), more with the chance of the first calls let through.`,
      ],
      problems: [...on.problems, ...off.problems],
      tables: [throttleTable(rows)],
    }
  } finally {
    await Promise.all([on.client.close(), off.client.close()])
    await Promise.all(downstreams.map((downstream) => downstream.close()))
  }
}

/**
 * Windows to wait at `share` before counting. The throttle lets through about `1 + k × accepts` of
 * a window's calls, accepts counted over the window before: where the downstream accepts a share
 * `a` of them with `k·a < 1` (90% failing), the calls let through shrink by `k·a` a window on the
 * way down from all of them, so it takes `log(2 × calls a window) / log(1 / (k·a))` windows until
 * what is left of the way down is under half a call a window (five at 100 calls a second over
 * 10 s). Elsewhere nothing is refused (`k·a ≥ 1`), or no accept is left after one window (100%):
 * `plan.settleWindows`.
 */
function settleWindows(plan: ThrottlePlan, share: number): number {
  const shrink = K * (1 - share / 100)
  if (shrink <= 0 || shrink >= 1) {
    return plan.settleWindows
  }
  const perWindow = (plan.callsPerSecond * plan.windowMs) / 1000
  return Math.max(plan.settleWindows, Math.ceil(Math.log(2 * perWindow) / Math.log(1 / shrink)))
}

/** The calls reaching the downstream at one failing share, judged against k × those it accepted. */
function shareVerdict(share: number, figures: SideFigures, unthrottled: SideFigures, windows: number): Verdict {
  const bound = RATIO_TOLERANCE * K * figures.accepted + TRICKLE_PER_WINDOW * windows
  return {
    target: `${SCENARIO}, downstream failing ${share}%: calls reaching it over k × accepted (k ${K})`,
    figure: `${figures.reached} reached, ${figures.accepted} accepted, ${figures.refused} refused locally of ${figures.offered}`,
    hello: `throttle off: ${unthrottled.reached} reached, ${unthrottled.accepted} accepted, ${overK(unthrottled)}`,
    ratio: overK(figures),
    limit: `≤ ${RATIO_TOLERANCE} × k × accepted + ${TRICKLE_PER_WINDOW * windows} = ${bound.toFixed(0)}`,
    judgement: atMost(figures.reached, bound, (gap) => `${gap.toFixed(0)} calls`),
  }
}

/**
 * The time from the downstream turning healthy to the last offered call that did not reach it,
 * judged against one window; `undefined` when the throttle was still refusing after `ranMs`.
 */
function recoveryVerdict(windowMs: number, lastMissMs: number | undefined, ranMs: number, unthrottledMs: number): Verdict {
  const figureMs = lastMissMs ?? ranMs
  return {
    target: `${SCENARIO}, downstream healthy again after failing 100%: until every call reaches it`,
    figure: `${lastMissMs === undefined ? 'still refusing after ' : ''}${seconds(figureMs)}`,
    hello: `throttle off: ${seconds(unthrottledMs)}`,
    ratio: `${(figureMs / windowMs).toFixed(2)} windows`,
    limit: `≤ ${seconds(windowMs)} (one window)`,
    judgement: lastMissMs === undefined ? { met: false, verdict: `MISSED (+${seconds(ranMs - windowMs)} at least)` } : atMost(lastMissMs, windowMs, seconds),
  }
}

/**
 * How many windows the formula takes to let every call through again once a downstream that
 * failed every call is healthy. Refused calls count as requests, so the window holds about the `n`
 * calls offered a window, and a call goes through with the chance `(1 + k·accepts) / (n + 1)`:
 * each accept lets about k more calls a window through, each of them accepted in turn, while
 * accepts older than a window leave it. The calls let through thus grow as `e^(x·t/window)`, with
 * `x = k·(1 − e^(−x))` (1.59 at k 2), until `k·accepts ≥ n`, where refusals stop: `ln(n) / x`
 * windows at the least (4.3 at 1000 calls a window), more than one window for any `n` above 4, and
 * in a run more, as the first calls let through come by chance.
 */
function expectedRecoveryWindows(plan: ThrottlePlan): number {
  let growth = K
  for (let step = 0; step < 100; step++) {
    growth = K * (1 - Math.exp(-growth))
  }
  return Math.log((plan.callsPerSecond * plan.windowMs) / 1000) / growth
}

/** The throttle's table: each phase's calls on both sides. */
function throttleTable(rows: ReadonlyArray<readonly [string, SideFigures, SideFigures]>): string {
  return formatTable(
    ['downstream failing', 'offered', 'reached', 'accepted', 'refused locally', 'reached / (k × accepted)', 'throttle off: reached', 'accepted', 'reached / (k × accepted)'],
    rows.map(([share, on, off]) => [share, String(on.offered), String(on.reached), String(on.accepted), String(on.refused), overK(on), String(off.reached), String(off.accepted), overK(off)]),
  )
}

/** `0.53×`, or `∞` when nothing was accepted. */
function overK(figures: SideFigures): string {
  return figures.accepted === 0 ? (figures.reached === 0 ? '-' : '∞') : `${(figures.reached / (K * figures.accepted)).toFixed(2)}×`
}

/** `1.25 s` */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}
