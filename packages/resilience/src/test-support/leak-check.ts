/**
 * Child process for leaks.test.ts: runs 100 000 calls through
 * pipeline(timeoutPolicy(1000), retryPolicy({ maxAttempts: 3 }), new CircuitBreaker(...)) with real
 * timers, then prints one line of JSON describing what was left behind. Run it with --expose-gc,
 * apart from the test runner, whose own handles would blur the picture.
 *
 * Exits by itself: when the JSON line is out, nothing may keep the event loop alive. On 'exit' it
 * prints a second line with the time from the end of the calls to the exit.
 */
import { getEventListeners, setMaxListeners } from 'node:events'

import { CircuitBreaker, TimeoutError, pipeline, retryPolicy, timeoutPolicy } from '../index.js'
import { pendingTimers } from '../internal/timer-queue.js'
import type { ExecutionContext } from '../types.js'

const TOTAL_CALLS = 100_000
const BASELINE_CALLS = 20_000
const BATCH = 500
/** The last calls, made after the heap is measured. */
const FINAL_BURST = 1000
/** Calls per phase that only end when the 1000 ms timeout fires. */
const HANGING_PER_PHASE = 10

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) {
  throw new Error('run leak-check.ts with --expose-gc')
}

function heapAfterGc(): number {
  for (let round = 0; round < 4; round++) {
    gc?.()
  }
  return process.memoryUsage().heapUsed
}

/** Counts what `process.getActiveResourcesInfo()` lists, by kind. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) {
    counts[kind] = (counts[kind] ?? 0) + 1
  }
  return counts
}

const breaker = new CircuitBreaker({ name: 'leak-check', maxFailures: 100_000, windowMs: 10_000, timeoutMs: 800 })
const guarded = pipeline(timeoutPolicy(1000), retryPolicy({ maxAttempts: 3 }), breaker)

/** One long-lived caller signal shared by many calls, as a server's shutdown signal would be. */
const shared = new AbortController()
// Up to a tenth of each batch of 500 calls listens to it at once: that is expected, not a leak.
setMaxListeners(BATCH, shared.signal)

const outcomes = { fulfilled: 0, timeout: 0, callerAbort: 0, other: 0 }
let callsMade = 0
let leftoverOnPerCallSignals = 0

const readsSignal = ({ signal }: ExecutionContext): number => (signal.aborted ? -1 : 1)
const ignoresSignal = (): number => 2
let flakyCalls = 0
/** Fails its first attempt, succeeds on the retry. */
const failsOnce = (context: ExecutionContext): number => {
  if (context.attempt === 1) {
    flakyCalls++
    throw new Error('flaky')
  }
  return 3
}
/** Never answers; stops when its signal is aborted, as fetch does. */
const untilAborted = ({ signal }: ExecutionContext): Promise<never> =>
  new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })

async function call(index: number): Promise<void> {
  let fn: (context: ExecutionContext) => number | Promise<never>
  if (index % 50 === 1) {
    fn = failsOnce
  } else {
    fn = index % 2 === 0 ? readsSignal : ignoresSignal
  }
  let own: AbortController | undefined
  let signal: AbortSignal | undefined
  if (index % 10 === 3) {
    signal = shared.signal
  } else if (index % 10 === 7) {
    own = new AbortController()
    signal = own.signal
  }
  // Some of the calls with their own signal are abandoned by the caller half-way.
  const abandon = own !== undefined && index % 40 === 7
  if (abandon) {
    fn = untilAborted
  }
  const promise = guarded.execute(fn, signal === undefined ? undefined : { signal })
  callsMade++
  if (abandon) {
    queueMicrotask(() => own?.abort())
  }
  try {
    await promise
    outcomes.fulfilled++
  } catch (error) {
    if (error instanceof TimeoutError) {
      outcomes.timeout++
    } else if (abandon && (error as { name?: unknown }).name === 'AbortError') {
      outcomes.callerAbort++
    } else {
      outcomes.other++
    }
  }
  if (own !== undefined) {
    leftoverOnPerCallSignals += getEventListeners(own.signal, 'abort').length
  }
}

async function phase(from: number, to: number, hangingCalls = HANGING_PER_PHASE): Promise<void> {
  const hanging: Array<Promise<void>> = []
  for (let index = 0; index < hangingCalls; index++) {
    hanging.push(
      guarded.execute(untilAborted, { signal: shared.signal }).then(
        () => {
          outcomes.other++
        },
        (error: unknown) => {
          if (error instanceof TimeoutError) {
            outcomes.timeout++
          } else {
            outcomes.other++
          }
        },
      ),
    )
  }
  for (let start = from; start < to; start += BATCH) {
    const batch: Array<Promise<void>> = []
    for (let index = start; index < Math.min(to, start + BATCH); index++) {
      batch.push(call(index))
    }
    await Promise.all(batch)
  }
  await Promise.all(hanging)
}

async function main(): Promise<void> {
  // Let start-up I/O (module loading, the IPC channel) finish before the first snapshot: on newer
  // Node.js versions it is still in flight when the script begins.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const before = resources()

  // Control: while a call is pending, its timeout holds the process (one ref'd Timeout); once it
  // is over, the shared timer is unref'd and no longer listed.
  const control = new AbortController()
  const pendingCall = guarded.execute(untilAborted, { signal: control.signal }).catch(() => 'aborted')
  const whilePending = resources()
  const pendingWhilePending = pendingTimers()
  control.abort()
  await pendingCall
  const afterControl = resources()

  await phase(0, BASELINE_CALLS)
  const heapAtBaseline = heapAfterGc()
  await phase(BASELINE_CALLS, TOTAL_CALLS - FINAL_BURST)
  const heapAtEnd = heapAfterGc()
  // End on quick calls only, so that the shared timer is still armed (for a timeout that will never
  // be needed) when the resources are listed: it must be unref'd by now.
  await phase(TOTAL_CALLS - FINAL_BURST, TOTAL_CALLS, 0)

  const result = {
    callsMade,
    hangingCalls: 2 * HANGING_PER_PHASE,
    flakyCalls,
    outcomes,
    breakerState: breaker.state,
    resources: { before, whilePending, afterControl, after: resources() },
    pendingTimers: { whilePending: pendingWhilePending, after: pendingTimers() },
    leftoverOnSharedSignal: getEventListeners(shared.signal, 'abort').length,
    leftoverOnPerCallSignals,
    heap: { atBaseline: heapAtBaseline, atEnd: heapAtEnd, growth: heapAtEnd - heapAtBaseline },
  }
  const doneAt = performance.now()
  process.on('exit', () => {
    process.stdout.write(`${JSON.stringify({ exitDelayMs: performance.now() - doneAt })}\n`)
  })
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

await main()
