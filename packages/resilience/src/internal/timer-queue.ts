import { now } from './clock.js'
import { type TimerHandle, refTimer, unrefTimer } from './timer-handle.js'

/**
 * One real timer shared by every pending timeout.
 *
 * A `setTimeout` plus `clearTimeout` per call is most of what a timeout costs on the success path.
 * Here a call only appends an entry to a FIFO queue kept per duration (entries of one duration
 * expire in the order they were added, as with Node's own timer lists) and marks it cancelled when
 * it settles. The single timer is armed for the earliest live entry; it is unref'd whenever no live
 * entry remains, so finished work never holds the process open, and ref'd again as soon as one is
 * added.
 */

/** A pending timeout. Cancelling is O(1) and allocation-free. */
export class TimerEntry {
  /** True once fired or cancelled. */
  done = false
  constructor(
    /** When the callback is due, on the {@link now} clock. */
    readonly expiresAt: number,
    readonly callback: () => void,
    readonly queue: DurationQueue,
  ) {}
}

/** Entries that share one duration, hence expire in insertion order. */
class DurationQueue {
  items: TimerEntry[] = []
  head = 0

  constructor(readonly key: number) {}

  /** Drops settled entries at both ends, so steady short calls keep the queue near empty. */
  trim(): void {
    const items = this.items
    // Tail first: a lone entry cancelled by its own call is popped, with no array resize.
    while (items.length > this.head && items[items.length - 1]!.done) {
      items.pop()
    }
    while (this.head < items.length && items[this.head]!.done) {
      this.head++
    }
    if (this.head === items.length) {
      if (items.length !== 0) {
        items.length = 0
      }
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head)
      this.head = 0
    }
  }

  peek(): TimerEntry | undefined {
    return this.items[this.head]
  }
}

const MAX_DELAY_MS = 2 ** 31 - 1

const queues = new Map<number, DurationQueue>()
let live = 0
let handle: TimerHandle | undefined
let armedAt = Infinity
let armedWith: typeof setTimeout | undefined
/** The `clearTimeout` of the implementation that armed {@link handle}. */
let armedClear: typeof clearTimeout | undefined
let refed = false

/** Calls `callback` once `delayMs` has passed, unless the returned entry is cancelled first. */
export function schedule(delayMs: number, callback: () => void): TimerEntry {
  // Fake timers installed or removed since the shared timer was armed: that timer will never fire
  // in this world, so start afresh, as entries made under the old timers would never have fired.
  if (armedWith !== undefined && armedWith !== globalThis.setTimeout) {
    reset()
  }
  const expiresAt = now() + delayMs
  // Durations are bucketed to the millisecond so that deadline-derived timeouts (987.3 ms,
  // 954.1 ms, ...) share queues; order inside a bucket is then exact to within 1 ms.
  const key = Math.ceil(delayMs)
  let queue = queues.get(key)
  if (queue === undefined) {
    queue = new DurationQueue(key)
    queues.set(key, queue)
  }
  const entry = new TimerEntry(expiresAt, callback, queue)
  queue.items.push(entry)
  live++
  if (handle === undefined || expiresAt < armedAt) {
    arm(expiresAt)
  } else if (!refed) {
    refTimer(handle)
    refed = true
  }
  return entry
}

/** Cancels a pending entry; a no-op once it has fired or been cancelled. */
export function cancel(entry: TimerEntry): void {
  if (entry.done) {
    return
  }
  entry.done = true
  live--
  entry.queue.trim()
  releaseIfIdle()
}

function arm(at: number): void {
  const setTimer = globalThis.setTimeout
  if (handle !== undefined) {
    globalThis.clearTimeout(handle)
  }
  // Node fires anything past 2^31-1 ms after 1 ms instead; re-arming from fire() covers the rest.
  const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - now()))
  armedAt = delay === MAX_DELAY_MS ? now() + delay : at
  armedWith = setTimer
  armedClear = globalThis.clearTimeout
  handle = setTimer(fire, delay)
  refed = true
}

function fire(): void {
  handle = undefined
  // A timer may run a little before the monotonic clock reaches its due time (Node schedules on a
  // cached loop time), and under fake timers the clock may not be faked at all: the entry the timer
  // was armed for is due either way.
  const current = Math.max(now(), armedAt)
  armedAt = Infinity
  let next = Infinity
  for (const queue of queues.values()) {
    let entry = queue.peek()
    while (entry !== undefined && (entry.done || entry.expiresAt <= current)) {
      queue.head++
      if (!entry.done) {
        entry.done = true
        live--
        entry.callback()
      }
      entry = queue.peek()
    }
    queue.trim()
    if (entry === undefined) {
      queues.delete(queue.key)
    } else if (entry.expiresAt < next) {
      next = entry.expiresAt
    }
  }
  // A callback may have scheduled (and so armed) a later timer meanwhile.
  if (next < armedAt) {
    arm(next)
  }
  releaseIfIdle()
}

/** With no live entry left, the armed timer must not keep the process alive. */
function releaseIfIdle(): void {
  if (live === 0 && refed && handle !== undefined) {
    unrefTimer(handle)
    refed = false
  }
}

function reset(): void {
  // The timer armed under the old implementation must not be left running: firing (a real timer
  // armed before fake timers were installed, say) it would run fire() against the new world's
  // queues with the new world's armedAt, firing entries that are not yet due.
  if (handle !== undefined) {
    armedClear?.(handle)
  }
  armedClear = undefined
  queues.clear()
  live = 0
  handle = undefined
  armedAt = Infinity
  armedWith = undefined
  refed = false
}

/** Pending (not cancelled) entries; for tests and leak checks. */
export function pendingTimers(): number {
  return live
}
