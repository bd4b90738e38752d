/**
 * A FIFO lock whose waiters can give up: a request whose deadline passes while it waits for the
 * embedded engine's one connection leaves the queue, and its query never runs.
 */
export class Mutex {
  private locked = false
  private readonly waiters: Array<{ resolve: () => void; cancelled: boolean }> = []

  /** Waiters now. */
  get waiting(): number {
    return this.waiters.filter((waiter) => !waiter.cancelled).length
  }

  /** Resolves once the lock is held; rejects with the abort reason if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) {
      return Promise.reject(signal.reason as Error)
    }
    if (!this.locked) {
      this.locked = true
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, cancelled: false }
      const onAbort = (): void => {
        waiter.cancelled = true
        reject(signal?.reason as Error)
      }
      waiter.resolve = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  /** Hands the lock to the next waiter still waiting, or frees it. */
  release(): void {
    let next = this.waiters.shift()
    while (next?.cancelled === true) {
      next = this.waiters.shift()
    }
    if (next === undefined) {
      this.locked = false
    } else {
      next.resolve()
    }
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal)
    try {
      return await fn()
    } finally {
      this.release()
    }
  }
}
