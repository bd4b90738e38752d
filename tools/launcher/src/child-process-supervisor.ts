import { NodeProcess, type ProcessExit } from '@storefront/service-kit/processes'

import { createLinePrefixer, formatPrefix } from './log-prefix.js'
import type { ProcessPlan } from './system-plan.js'

/** The restart policy. */
export interface BackoffPolicy {
  /** First delay, doubled on each quick crash in a row. Default 1 s. */
  readonly initialMs: number
  /** Largest delay. Default 30 s. */
  readonly maxMs: number
  /** A process up at least this long when it exits did not crash "quickly": the backoff resets. Default 60 s. */
  readonly resetAfterMs: number
  /** Quick crashes in a row after which the supervisor gives up. Default 5. */
  readonly maxQuickCrashes: number
}

/** The default {@link BackoffPolicy}. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000, maxQuickCrashes: 5 }

/** What to do after an unexpected exit. */
export type RestartDecision = { readonly action: 'restart'; readonly delayMs: number; readonly quickCrashes: number } | { readonly action: 'give-up'; readonly quickCrashes: number }

/**
 * The restart rule, pure: `quickCrashes` is the count before this exit, `uptimeMs` how long the
 * process ran. A long run resets the count, so a service that crashes once a day is always
 * restarted after 1 s, while one that cannot start at all stops the system instead of looping.
 */
export function decideRestart(policy: BackoffPolicy, quickCrashes: number, uptimeMs: number): RestartDecision {
  const count = uptimeMs >= policy.resetAfterMs ? 0 : quickCrashes + 1
  if (count >= policy.maxQuickCrashes) {
    return { action: 'give-up', quickCrashes: count }
  }
  const delayMs = Math.min(policy.initialMs * 2 ** Math.max(count - 1, 0), policy.maxMs)
  return { action: 'restart', delayMs, quickCrashes: count }
}

/** How the supervisor reports. */
export interface SupervisorOptions {
  readonly plans: readonly ProcessPlan[]
  /** Working directory of every child. */
  readonly cwd: string
  /** Where prefixed child output goes (one call per line, newline included). */
  readonly write: (line: string) => void
  /** The launcher's own messages (one line, no newline). */
  readonly log: (message: string) => void
  /** Colour the prefixes (stdout is a terminal). */
  readonly colour: boolean
  /** How a child's line is shown (pino-pretty on a terminal); as it came by default. */
  readonly formatLine?: (line: string) => string
  /** Called once when a process crashed too often; the caller shuts everything down. */
  readonly onGiveUp: (name: string, reason: string) => void
  readonly backoff?: BackoffPolicy
}

interface Slot {
  plan: ProcessPlan
  readonly index: number
  child: NodeProcess | undefined
  startedAt: number
  quickCrashes: number
  restartTimer: NodeJS.Timeout | undefined
}

/** Starts the planned processes, prefixes their output, restarts them with backoff, and stops them. */
export class ChildProcessSupervisor {
  readonly #options: SupervisorOptions
  readonly #policy: BackoffPolicy
  readonly #slots: Slot[]
  readonly #width: number
  #stopping = false

  constructor(options: SupervisorOptions) {
    this.#options = options
    this.#policy = options.backoff ?? DEFAULT_BACKOFF
    this.#width = Math.max(...options.plans.map((p) => p.name.length), 'launcher'.length)
    this.#slots = options.plans.map((plan, index) => ({
      plan, index, child: undefined, startedAt: 0, quickCrashes: 0, restartTimer: undefined,
    }))
  }

  /**
   * Replaces the plans of processes not started yet, matched by name (their environment may depend
   * on something started first, such as the database server).
   */
  replan(plans: readonly ProcessPlan[]): void {
    for (const slot of this.#slots) {
      const plan = plans.find((p) => p.name === slot.plan.name)
      if (plan !== undefined && slot.child === undefined) {
        slot.plan = plan
      }
    }
  }

  /** Starts the named processes (every one when `names` is omitted) that are not running yet. */
  start(names?: readonly string[]): void {
    for (const slot of this.#slots) {
      if ((names === undefined || names.includes(slot.plan.name)) && slot.child === undefined && !this.#stopping) {
        this.#spawn(slot)
      }
    }
  }

  /** Pids of the children running now. */
  pids(): number[] {
    return this.#slots.flatMap((s) => (s.child?.running === true && s.child.pid !== undefined ? [s.child.pid] : []))
  }

  #spawn(slot: Slot): void {
    const { plan } = slot
    const prefix = formatPrefix(plan.name, this.#width, slot.index, this.#options.colour)
    const child = NodeProcess.start({
      script: plan.script,
      cwd: this.#options.cwd,
      env: plan.env,
      // Own process group: a Ctrl-C in the terminal reaches only the launcher, which then stops
      // the children in order rather than having them all race their own shutdowns.
      detached: true,
      onLine: createLinePrefixer(prefix, this.#options.write, this.#options.formatLine),
      onError: (error) => {
        this.#options.log(`${plan.name}: could not start: ${error.message}`)
      },
    })
    slot.child = child
    slot.startedAt = Date.now()
    void child.exited.then((exit) => {
      this.#onExit(slot, child, exit)
    })
    if (child.pid !== undefined) {
      this.#options.log(`started ${plan.name} (pid ${child.pid}) on ${plan.origin}`)
    }
  }

  #onExit(slot: Slot, child: NodeProcess, { code, signal }: ProcessExit): void {
    if (slot.child !== child) {
      return
    }
    slot.child = undefined
    if (this.#stopping) {
      return
    }
    const uptimeMs = Date.now() - slot.startedAt
    const why = signal === null ? `exit code ${code ?? 'unknown'}` : `signal ${signal}`
    const decision = decideRestart(this.#policy, slot.quickCrashes, uptimeMs)
    slot.quickCrashes = decision.quickCrashes
    if (decision.action === 'give-up') {
      const reason = `${slot.plan.name} exited (${why}) after ${uptimeMs} ms: ${decision.quickCrashes} quick crashes in a row, giving up`
      this.#options.log(reason)
      this.#options.onGiveUp(slot.plan.name, reason)
      return
    }
    this.#options.log(`${slot.plan.name} exited unexpectedly (${why}) after ${uptimeMs} ms; restarting in ${decision.delayMs} ms`)
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined
      if (!this.#stopping) {
        this.#spawn(slot)
      }
    }, decision.delayMs)
  }

  /**
   * Sends SIGTERM to every child and waits for all to exit; any still running after `graceMs`
   * gets SIGKILL. Pending restarts are cancelled. Safe to call more than once.
   */
  async stop(graceMs = 15_000): Promise<void> {
    this.#stopping = true
    const stopping: Array<Promise<ProcessExit>> = []
    for (const slot of this.#slots) {
      clearTimeout(slot.restartTimer)
      slot.restartTimer = undefined
      const { child, plan } = slot
      if (child !== undefined) {
        stopping.push(child.stop({
          graceMs,
          onKill: () => {
            this.#options.log(`${plan.name} did not stop within ${graceMs} ms: SIGKILL`)
          },
        }))
      }
    }
    await Promise.all(stopping)
  }

  /**
   * Synchronous last resort for the process 'exit' event (an uncaught error, an exit elsewhere):
   * no waiting is possible there, so every child still running gets SIGKILL.
   */
  killAllNow(): void {
    this.#stopping = true
    for (const slot of this.#slots) {
      clearTimeout(slot.restartTimer)
      slot.child?.kill()
    }
  }
}
