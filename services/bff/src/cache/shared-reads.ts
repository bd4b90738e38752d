/** One read in flight, and how many callers wait for it. */
interface Flight<V> {
  readonly controller: AbortController
  readonly result: Promise<V>
  waiters: number
}

/**
 * Identical reads in flight at the same time, made once and shared (request coalescing): 32
 * concurrent pages that need the catalogue make one products call, not 32.
 *
 * The read runs with a signal of its own, not any one caller's: each caller waits with its own
 * signal and leaves alone when that signal aborts, and the read is aborted only when the last
 * waiter has left. A read is shared only while it is in flight; what it answered is not kept here
 * (see `KeptReads` for that).
 *
 * A read is made the way its first caller asked for it, within that caller's deadline. A caller
 * that joined it and gets a failure that was only the first caller's (`isStartersOwn`: its
 * deadline passed) reads again on its own, so one caller in a hurry never fails the others.
 */
export class SharedReads<V> {
  private readonly flights = new Map<string, Flight<V>>()
  private startedCount = 0
  private joinedCount = 0

  constructor(private readonly isStartersOwn: (error: unknown) => boolean = () => false) {}

  /** Reads started, one per key in flight. */
  get started(): number {
    return this.startedCount
  }

  /** Callers that joined a read already in flight instead of starting one. */
  get joined(): number {
    return this.joinedCount
  }

  /**
   * What `start` answers for `key`, from the read in flight for `key` when there is one. The
   * returned promise rejects with the caller's reason when `caller` aborts first.
   */
  read(key: string, start: (signal: AbortSignal) => Promise<V>, caller: AbortSignal): Promise<V> {
    if (caller.aborted) {
      return Promise.reject(caller.reason as Error)
    }
    const joining = this.flights.get(key)
    if (joining === undefined) {
      this.startedCount++
      return this.wait(key, this.begin(key, start), caller)
    }
    this.joinedCount++
    return this.wait(key, joining, caller).catch((error: unknown) => {
      if (caller.aborted || !this.isStartersOwn(error)) {
        throw error
      }
      return this.read(key, start, caller)
    })
  }

  private begin(key: string, start: (signal: AbortSignal) => Promise<V>): Flight<V> {
    const controller = new AbortController()
    const flight: Flight<V> = { controller, result: start(controller.signal), waiters: 0 }
    this.flights.set(key, flight)
    const settled = (): void => {
      this.forget(key, flight)
    }
    // The outcome reaches every waiter through wait(); this handler only ends the sharing, and
    // keeps a read whose waiters all left from being an unhandled rejection.
    flight.result.then(settled, settled)
    return flight
  }

  private wait(key: string, flight: Flight<V>, caller: AbortSignal): Promise<V> {
    flight.waiters++
    return new Promise<V>((resolve, reject) => {
      let waiting = true
      const leave = (): boolean => {
        if (!waiting) {
          return false
        }
        waiting = false
        caller.removeEventListener('abort', onAbort)
        flight.waiters--
        return true
      }
      const onAbort = (): void => {
        if (!leave()) {
          return
        }
        reject(caller.reason as Error)
        if (flight.waiters === 0) {
          this.forget(key, flight)
          flight.controller.abort(caller.reason)
        }
      }
      caller.addEventListener('abort', onAbort, { once: true })
      flight.result.then(
        (value) => {
          if (leave()) {
            resolve(value)
          }
        },
        (error: unknown) => {
          if (leave()) {
            reject(error)
          }
        },
      )
    })
  }

  private forget(key: string, flight: Flight<V>): void {
    if (this.flights.get(key) === flight) {
      this.flights.delete(key)
    }
  }
}
