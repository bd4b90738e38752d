import { TimeoutError } from './errors/timeout-error.js'
import { now } from './internal/clock.js'
import { MAX_TIMER_MS, unrefTimer } from './internal/timer-handle.js'
import { cancel, schedule } from './internal/timer-queue.js'

/** The header that carries a caller's remaining budget between services, in whole milliseconds. */
export const DEADLINE_HEADER = 'x-request-timeout-ms'

/** The largest budget a header carries: 2^31 - 1 ms, about 24.8 days. */
const MAX_HEADER_MS = 2 ** 31 - 1

/** Options of {@link Deadline.fromHeader}. */
export interface DeadlineFromHeaderOptions {
  /** Upper bound on what a caller may ask for, in milliseconds. Defaults to no bound. */
  readonly maxMs?: number
}

/**
 * A point in time after which work is no longer wanted, carried from the edge of the system through
 * every call below it (`x-request-timeout-ms`), so that each hop spends only what is left.
 *
 * Immutable; measured on a monotonic clock, so wall-clock jumps do not move it.
 *
 * @example
 * const deadline = Deadline.fromHeader(req.headers['x-request-timeout-ms']) ?? Deadline.after(1000)
 * await retry(callDownstream, { maxAttempts: 3, deadline })
 * headers['x-request-timeout-ms'] = deadline.toHeader()
 */
export class Deadline {
  /** When the deadline passes, on the monotonic clock (`performance.now()`). */
  readonly expiresAt: number
  /** The budget this deadline was created with, in milliseconds. */
  readonly timeoutMs: number
  private abortSignal: AbortSignal | undefined

  private constructor(expiresAt: number, timeoutMs: number) {
    this.expiresAt = expiresAt
    this.timeoutMs = timeoutMs
  }

  /** A deadline `ms` milliseconds from now (0 or less: already expired). */
  static after(ms: number): Deadline {
    if (Number.isNaN(ms)) {
      throw new RangeError('Deadline.after needs a number of milliseconds, got NaN')
    }
    return new Deadline(now() + ms, ms)
  }

  /**
   * Reads an `x-request-timeout-ms` value (whole, non-negative milliseconds). Returns `undefined`
   * when the header is absent or malformed, so the receiver can fall back to its own budget; a
   * caller can never extend its budget beyond `maxMs`.
   */
  static fromHeader(value: string | readonly string[] | null | undefined, options?: DeadlineFromHeaderOptions): Deadline | undefined {
    const raw = typeof value === 'string' ? value : value?.[0]
    if (typeof raw !== 'string' || !/^\s*\d{1,10}\s*$/.test(raw)) {
      return undefined
    }
    let ms = Number(raw)
    const maxMs = options?.maxMs
    if (maxMs !== undefined && ms > maxMs) {
      ms = maxMs
    }
    return Deadline.after(ms)
  }

  /** The earlier of two deadlines (either may be missing). */
  static earliest(a: Deadline | undefined, b: Deadline | undefined): Deadline | undefined {
    if (a === undefined) {
      return b
    }
    if (b === undefined) {
      return a
    }
    return a.expiresAt <= b.expiresAt ? a : b
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    const left = this.expiresAt - now()
    return left > 0 ? left : 0
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return now() >= this.expiresAt
  }

  /** This deadline, or one `ms` from now if that is sooner: a local budget inside a caller's. */
  within(ms: number): Deadline {
    const other = now() + ms
    return other < this.expiresAt ? new Deadline(other, ms) : this
  }

  /** The remaining budget as an `x-request-timeout-ms` value: whole milliseconds, rounded down. */
  toHeader(): string {
    // An unbounded deadline still has to travel as whole milliseconds a receiver can parse.
    return String(Math.min(Math.floor(this.remainingMs()), MAX_HEADER_MS))
  }

  /**
   * Calls `listener` once when the deadline passes, unless the returned function is called first.
   * Costs no timer of its own: it shares the library's one timer, so a server can watch the
   * deadline of every request it handles. The pending call keeps the process alive, as a timer
   * would; cancel it when the work is done.
   *
   * @example
   * const stop = deadline.onExpired(() => controller.abort(new TimeoutError(deadline.timeoutMs)))
   * try { await work() } finally { stop() }
   */
  onExpired(listener: () => void): () => void {
    const entry = schedule(Math.max(0, this.expiresAt - now()), listener)
    return () => {
      cancel(entry)
    }
  }

  /**
   * An `AbortSignal` that aborts with a {@link TimeoutError} when the deadline passes; created on
   * first read. Like `AbortSignal.timeout()`, its timer does not keep the process alive: the
   * signal only matters while some other work is pending.
   */
  get signal(): AbortSignal {
    if (this.abortSignal !== undefined) {
      return this.abortSignal
    }
    const controller = new AbortController()
    this.abortSignal = controller.signal
    // setTimeout fires a delay over 2^31-1 ms after 1 ms, and a 10-digit header allows ~115 days:
    // wait in steps of at most MAX_TIMER_MS.
    const arm = (): void => {
      const left = this.expiresAt - now()
      if (left <= 0) {
        controller.abort(new TimeoutError(this.timeoutMs))
        return
      }
      unrefTimer(globalThis.setTimeout(arm, Math.min(left, MAX_TIMER_MS)))
    }
    arm()
    return controller.signal
  }
}
