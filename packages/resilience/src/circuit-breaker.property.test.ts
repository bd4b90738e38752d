import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js'
import { CircuitOpenError } from './errors/circuit-open-error.js'
import { type Deferred, deferred } from './test-support/breaker-helpers.js'

afterEach(() => {
  vi.useRealTimers()
})

type Op =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure' }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'settle'; readonly index: number; readonly ok: boolean }
  | { readonly kind: 'abandon'; readonly index: number }
  | { readonly kind: 'read' }
  | { readonly kind: 'isolate' }
  | { readonly kind: 'reset' }

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'success' } as const), weight: 4 },
  { arbitrary: fc.constant({ kind: 'failure' } as const), weight: 5 },
  {
    // Steps that land on and around the configured intervals as well as arbitrary ones.
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.constantFrom(1, 9, 10, 99, 100, 999, 1000), fc.integer({ min: 0, max: 1500 })),
    }),
    weight: 4,
  },
  { arbitrary: fc.constant({ kind: 'start' } as const), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('settle' as const), index: fc.nat(), ok: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('abandon' as const), index: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'read' } as const), weight: 1 },
  { arbitrary: fc.constant({ kind: 'isolate' } as const), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reset' } as const), weight: 1 },
)

const optionsArbitrary: fc.Arbitrary<CircuitBreakerOptions> = fc.record(
  {
    maxFailures: fc.integer({ min: 1, max: 4 }),
    windowMs: fc.oneof(fc.constantFrom(10, 100, 1000), fc.integer({ min: 1, max: 2000 })),
    resetIntervalMs: fc.oneof(fc.constantFrom(10, 100, 1000), fc.integer({ min: 1, max: 2000 })),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    failureRateThreshold: fc.constantFrom(0.3, 0.5, 0.8),
    minimumCalls: fc.integer({ min: 1, max: 6 }),
  },
  { requiredKeys: ['maxFailures', 'windowMs', 'resetIntervalMs', 'halfOpenMaxCalls'] },
)

/** Transitions the breaker may make on its own (from calls, results and the passing of time). */
const automatic = new Set(['closed→open', 'open→half-open', 'half-open→closed', 'half-open→open'])

interface Pending {
  readonly gate: Deferred<string>
  readonly controller: AbortController
  readonly done: Promise<unknown>
  readonly finish: () => void
}

async function runScenario(options: CircuitBreakerOptions, ops: readonly Op[]): Promise<void> {
  vi.useFakeTimers()
  try {
    const breaker = new CircuitBreaker(options)
    const halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1
    const resetIntervalMs = options.resetIntervalMs ?? 30_000

    // The breaker's state as its events tell it, checked against every rule as they arrive.
    let state: CircuitState = 'closed'
    let manual: 'reset' | 'isolate' | undefined
    let isolated = false
    let openedAt = 0
    // Each transition starts a new period; probes running now, admitted in the current half-open one.
    let period = 0
    let probesRunning = 0
    const problems: string[] = []
    breaker.onStateChange((next, previous) => {
      const move = `${previous}→${next}`
      if (previous !== state) {
        problems.push(`${move} reported while the last state reported was ${state}`)
      }
      if (next === previous) {
        problems.push(`${move} is no change`)
      }
      if (manual === 'reset' && next !== 'closed') {
        problems.push(`${move} during reset()`)
      } else if (manual === 'isolate' && next !== 'open') {
        problems.push(`${move} during isolate()`)
      } else if (manual === undefined && !automatic.has(move)) {
        problems.push(`${move} is not a valid transition`)
      }
      if (move === 'open→half-open') {
        if (isolated) {
          problems.push('left an isolated circuit without reset()')
        }
        if (performance.now() - openedAt < resetIntervalMs) {
          problems.push(`half-open ${performance.now() - openedAt} ms after opening, before resetIntervalMs ${resetIntervalMs}`)
        }
      }
      if (next === 'open') {
        openedAt = performance.now()
      }
      state = next
      period++
      probesRunning = 0
    })

    /**
     * What every call's fn does first: checks that the breaker let it in rightly. Returns what to
     * call once the call has ended.
     */
    const admitted = (): (() => void) => {
      if (state === 'open') {
        problems.push('fn ran while the circuit was open')
      }
      if (state !== 'half-open') {
        return () => {}
      }
      if (++probesRunning > halfOpenMaxCalls) {
        problems.push(`${probesRunning} probes running at once with halfOpenMaxCalls ${halfOpenMaxCalls}`)
      }
      const admittedIn = period
      return () => {
        if (period === admittedIn) {
          probesRunning--
        }
      }
    }

    const pending: Pending[] = []
    const expectRefusedWithoutRunning = async (promise: Promise<unknown>, ran: () => boolean): Promise<void> => {
      const outcome = await promise.then(
        () => 'fulfilled',
        (error: unknown) => error,
      )
      if (outcome instanceof CircuitOpenError && ran()) {
        problems.push('fn ran although the call was refused')
      }
      if (!(outcome instanceof CircuitOpenError) && !ran()) {
        problems.push('the call ended without fn running and without a CircuitOpenError')
      }
    }

    for (const op of ops) {
      switch (op.kind) {
        case 'success':
        case 'failure': {
          let ran = false
          let finish = (): void => {}
          const call = breaker.execute(() => {
            ran = true
            finish = admitted()
            return op.kind === 'success' ? 'ok' : Promise.reject(new Error('down'))
          })
          await expectRefusedWithoutRunning(call, () => ran)
          finish()
          break
        }
        case 'advance':
          await vi.advanceTimersByTimeAsync(op.ms)
          break
        case 'start': {
          const gate = deferred<string>()
          const controller = new AbortController()
          let ran = false
          let finish = (): void => {}
          const call = breaker.execute(
            ({ signal }) => {
              ran = true
              finish = admitted()
              signal.addEventListener('abort', () => gate.reject(signal.reason), { once: true })
              return gate.promise
            },
            { signal: controller.signal },
          )
          if (ran) {
            pending.push({ gate, controller, done: call.catch(() => {}), finish })
          } else {
            await expectRefusedWithoutRunning(call, () => ran)
          }
          break
        }
        case 'settle':
        case 'abandon': {
          const [call] = pending.splice(op.index % Math.max(1, pending.length), 1)
          if (call !== undefined) {
            if (op.kind === 'abandon') {
              call.controller.abort()
            } else if (op.ok) {
              call.gate.resolve('late')
            } else {
              call.gate.reject(new Error('late failure'))
            }
            await call.done
            call.finish()
          }
          break
        }
        case 'read':
          expect(breaker.state).toBe(state)
          break
        case 'isolate':
          manual = 'isolate'
          breaker.isolate()
          manual = undefined
          isolated = true
          break
        case 'reset':
          manual = 'reset'
          breaker.reset()
          manual = undefined
          isolated = false
          break
      }
      expect(problems).toEqual([])
    }
    expect(breaker.state).toBe(state)
    for (const call of pending) {
      call.gate.resolve('end')
      await call.done
    }
  } finally {
    vi.useRealTimers()
  }
}

describe('CircuitBreaker properties', () => {
  it('never runs fn while open, keeps at most halfOpenMaxCalls probes, and only makes valid transitions', async () => {
    await fc.assert(
      fc.asyncProperty(optionsArbitrary, fc.array(opArbitrary, { maxLength: 60 }), async (options, ops) => {
        await runScenario(options, ops)
      }),
      { numRuns: 500 },
    )
  })

  it('the same holds for a breaker under a steady stream of failures and pauses', async () => {
    // A regression seed of sorts: many failures, with pauses around resetIntervalMs.
    const ops: Op[] = []
    for (let round = 0; round < 20; round++) {
      ops.push({ kind: 'failure' }, { kind: 'failure' }, { kind: 'start' }, { kind: 'advance', ms: 999 + (round % 3) })
      ops.push({ kind: 'start' }, { kind: 'start' }, { kind: 'settle', index: round, ok: round % 2 === 0 }, { kind: 'read' })
    }
    await runScenario({ maxFailures: 2, windowMs: 500, resetIntervalMs: 1000, halfOpenMaxCalls: 2 }, ops)
  })
})
