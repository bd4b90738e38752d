import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { Bulkhead } from './bulkhead.js'
import { CircuitBreaker } from './circuit-breaker.js'
import { pendingTimers } from './internal/timer-queue.js'
import { pipeline } from './pipeline.js'
import { type Tracked, track } from './test-support/retry-helpers.js'
import type { ExecuteOptions, ExecutionContext, Operation, Policy } from './types.js'
import { timeoutPolicy } from './with-timeout.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** A policy tree: leaves are policies, inner nodes are pipelines of their children. */
type Shape =
  | { readonly kind: 'breaker'; readonly timeoutMs: number | undefined }
  | { readonly kind: 'bulkhead'; readonly maxConcurrent: number }
  | { readonly kind: 'foreign' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'pipeline'; readonly children: readonly Shape[] }

const { shape: shapeArbitrary } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('breaker' as const), timeoutMs: fc.constantFrom(undefined, 1_000_000) }),
    fc.record({ kind: fc.constant('bulkhead' as const), maxConcurrent: fc.integer({ min: 1, max: 2 }) }),
    fc.constant({ kind: 'foreign' as const }),
    fc.constant({ kind: 'timeout' as const }),
    fc.record({ kind: fc.constant('pipeline' as const), children: fc.array(tie('shape'), { maxLength: 3 }) }),
  ),
}))

/**
 * One call. Times are relative to the start of the run: calls start and settle at even
 * milliseconds, aborts happen at odd ones, so no abort ever ties with a settlement.
 */
interface CallPlan {
  readonly startMs: number
  /** What fn does, ignoring its signal: settle after `settleMs`, or never (until the run releases it). */
  readonly outcome: 'resolve' | 'reject' | 'never'
  readonly settleMs: number
  /** When the caller aborts, after the start: 0 is before `execute`; undefined is never. */
  readonly abortMs: number | undefined
}

const even = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: min / 2, max: max / 2 }).map((n) => 2 * n)

const callArbitrary: fc.Arbitrary<CallPlan> = fc.record({
  startMs: even(0, 100),
  outcome: fc.constantFrom('resolve' as const, 'reject' as const, 'never' as const),
  settleMs: even(2, 300),
  abortMs: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 99 }).map((n) => 2 * n + 1)), { nil: undefined }),
})

/** Calls fn with no context at all and knows nothing of signals: a foreign policy at its most careless. */
const carelessForeign: Policy = {
  async execute<T>(fn: Operation<T>, _options?: ExecuteOptions): Promise<T> {
    return await (fn as () => T | PromiseLike<T>)()
  },
}

interface Built {
  readonly policy: Policy
  readonly breakers: CircuitBreaker[]
  readonly bulkheads: Bulkhead[]
}

function build(shape: Shape, built: { breakers: CircuitBreaker[]; bulkheads: Bulkhead[] }): Policy {
  switch (shape.kind) {
    case 'breaker': {
      const breaker = new CircuitBreaker({ maxFailures: 1000, windowMs: 60_000, ...(shape.timeoutMs === undefined ? {} : { timeoutMs: shape.timeoutMs }) })
      built.breakers.push(breaker)
      return breaker
    }
    case 'bulkhead': {
      // A queue long enough for every call: nothing is refused, so every outcome is the call's own.
      const bulkhead = new Bulkhead({ maxConcurrent: shape.maxConcurrent, maxQueue: 10 })
      built.bulkheads.push(bulkhead)
      return bulkhead
    }
    case 'foreign':
      return carelessForeign
    case 'timeout':
      // Never fires within a run: it is there for the way it passes the caller's abort on.
      return timeoutPolicy(1_000_000)
    case 'pipeline':
      return pipeline(...shape.children.map((child) => build(child, built)))
  }
}

function buildAll(shape: Shape): Built {
  const built = { breakers: [] as CircuitBreaker[], bulkheads: [] as Bulkhead[] }
  // The caller talks to one of the library's policies; a foreign one only ever sits inside a pipeline.
  const root = shape.kind === 'foreign' ? { kind: 'pipeline' as const, children: [shape] } : shape
  return { policy: build(root, built), ...built }
}

/** What happened to one call's fn. */
interface FnRecord {
  invocations: number
  settledAt: number | undefined
  release: (() => void) | undefined
}

async function runScenario(shape: Shape, plans: readonly CallPlan[]): Promise<void> {
  const t0 = performance.now()
  const { policy, breakers, bulkheads } = buildAll(shape)
  const problems: string[] = []
  let running = 0
  const checkSlots = (when: string): void => {
    for (const [index, bulkhead] of bulkheads.entries()) {
      if (running > bulkhead.maxConcurrent) {
        problems.push(`${when}: ${running} fns run through bulkhead ${index} of maxConcurrent ${bulkhead.maxConcurrent}`)
      }
      if (bulkhead.active < running) {
        problems.push(`${when}: bulkhead ${index} holds ${bulkhead.active} slots while ${running} fns run through it`)
      }
    }
  }

  const records: FnRecord[] = plans.map(() => ({ invocations: 0, settledAt: undefined, release: undefined }))
  const controllers = plans.map(() => new AbortController())
  const reasons = plans.map((_, index) => new Error(`caller ${index} gone`))
  const errors = plans.map((_, index) => new Error(`fn ${index} failed`))
  const results: Array<Tracked<string> | undefined> = plans.map(() => undefined)
  // Once the run lets go of work that never settles, a fn that starts later settles like the others.
  let released = false

  const fnFor = (index: number): ((context: ExecutionContext) => Promise<string>) => {
    const plan = plans[index]!
    const record = records[index]!
    return () => {
      record.invocations++
      running++
      checkSlots(`call ${index} starts`)
      return new Promise<string>((resolve, reject) => {
        const settle = (): void => {
          running--
          record.settledAt = performance.now() - t0
          checkSlots(`call ${index} settles`)
          if (plan.outcome === 'reject') {
            reject(errors[index]!)
          } else {
            resolve(`value ${index}`)
          }
        }
        if (plan.outcome === 'never' && !released) {
          record.release = settle
        } else {
          setTimeout(settle, plan.settleMs)
        }
      })
    }
  }

  for (const [index, plan] of plans.entries()) {
    setTimeout(() => {
      if (plan.abortMs === 0) {
        controllers[index]!.abort(reasons[index])
      }
      results[index] = track(policy.execute(fnFor(index), { signal: controllers[index]!.signal }))
    }, plan.startMs)
  }

  // Each abort by hand, in time order: the caller must have settled before the clock moves on.
  const aborts = plans
    .map((plan, index) => ({ index, at: plan.abortMs === undefined || plan.abortMs === 0 ? undefined : plan.startMs + plan.abortMs }))
    .filter((abort): abort is { index: number; at: number } => abort.at !== undefined)
    .sort((a, b) => a.at - b.at)
  const abortedWhilePending = new Set<number>()
  for (const { index, at } of aborts) {
    await vi.advanceTimersByTimeAsync(t0 + at - performance.now())
    const result = results[index]!
    if (result.state === 'pending') {
      abortedWhilePending.add(index)
    }
    controllers[index]!.abort(reasons[index])
    await vi.advanceTimersByTimeAsync(0)
    checkSlots(`call ${index} aborted`)
    if (abortedWhilePending.has(index) && !(result.state === 'rejected' && result.reason === reasons[index] && result.at === t0 + at)) {
      problems.push(`call ${index} aborted at ${at} ended ${result.state} with ${String(result.reason)} at ${(result.at ?? NaN) - t0}`)
    }
  }

  // Work that never settled on its own is let go now; then every queue drains.
  await vi.advanceTimersByTimeAsync(t0 + 2000 - performance.now())
  released = true
  for (const record of records) {
    record.release?.()
  }
  await vi.advanceTimersByTimeAsync(10_000)

  let successes = 0
  let failures = 0
  for (const [index, plan] of plans.entries()) {
    const record = records[index]!
    const result = results[index]!
    const abortAt = plan.abortMs === undefined ? Infinity : plan.startMs + plan.abortMs
    if (record.invocations > 1) {
      problems.push(`call ${index}: fn ran ${record.invocations} times`)
    }
    if (plan.abortMs === 0) {
      if (record.invocations !== 0 || result.reason !== reasons[index]) {
        problems.push(`call ${index}, aborted before it started, ran fn or ended with ${String(result.reason)}`)
      }
      continue
    }
    const settledAt = record.settledAt
    if (settledAt !== undefined && settledAt < abortAt) {
      // fn's own outcome reached the caller (and every breaker) before any abort.
      if (plan.outcome === 'reject') {
        failures++
        if (result.reason !== errors[index]) {
          problems.push(`call ${index}: fn failed at ${settledAt} but the caller got ${String(result.reason)}`)
        }
      } else {
        successes++
        if (result.value !== `value ${index}`) {
          problems.push(`call ${index}: fn succeeded at ${settledAt} but the caller got ${result.state}`)
        }
      }
    } else if (!abortedWhilePending.has(index)) {
      problems.push(`call ${index} ended ${result.state} without fn settling before an abort`)
    }
  }
  for (const [index, breaker] of breakers.entries()) {
    const stats = breaker.stats
    if (stats.totalFailures !== failures || stats.totalSuccesses !== successes || stats.state !== 'closed') {
      problems.push(
        `breaker ${index}: ${stats.totalFailures} failures, ${stats.totalSuccesses} successes, ${stats.state}; fn failed ${failures} times and succeeded ${successes} times before any abort`,
      )
    }
  }
  for (const [index, bulkhead] of bulkheads.entries()) {
    if (bulkhead.active !== 0 || bulkhead.queued !== 0) {
      problems.push(`bulkhead ${index} ends with ${bulkhead.active} active and ${bulkhead.queued} queued`)
    }
  }
  if (pendingTimers() !== 0) {
    problems.push(`${pendingTimers()} library timers left pending`)
  }
  expect(problems).toEqual([])
}

describe('breakers, bulkheads and pipelines under the caller’s abort (properties)', () => {
  it('the caller settles with the abort reason within one tick, slots stay held until fn settles, and breakers count no abort', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArbitrary, fc.array(callArbitrary, { minLength: 1, maxLength: 6 }), async (shape, plans) => {
        await runScenario(shape, plans)
      }),
      { numRuns: 1000 },
    )
  })

  it('the same holds for a bulkhead around a breaker and a breaker around a bulkhead, under crowding', async () => {
    const plans: CallPlan[] = Array.from({ length: 6 }, (_, index) => ({
      startMs: 2 * index,
      outcome: (['never', 'resolve', 'reject'] as const)[index % 3]!,
      settleMs: 100,
      abortMs: index % 2 === 0 ? 51 : undefined,
    }))
    const breaker = { kind: 'breaker', timeoutMs: undefined } as const
    const bulkhead = { kind: 'bulkhead', maxConcurrent: 1 } as const
    await runScenario({ kind: 'pipeline', children: [bulkhead, breaker] }, plans)
    await runScenario({ kind: 'pipeline', children: [breaker, bulkhead] }, plans)
  })
})
