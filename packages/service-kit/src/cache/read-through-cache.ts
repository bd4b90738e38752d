/** Options of {@link ReadThroughCache}. */
export interface ReadThroughCacheOptions {
  /** How long a loaded value is served, in ms. 0 turns the cache off (every read loads). */
  readonly ttlMs: number
  /** Entries kept at most; the oldest goes first. */
  readonly maxEntries: number
  /** The longest a load may run, in ms; a load is shared, so no single caller's deadline bounds it. */
  readonly loadTimeoutMs: number
}

/** Where a caller's signal comes from; read only on a miss (a request's signal is made on demand). */
export interface SignalSource {
  readonly abortSignal: AbortSignal
}

interface Entry<V> {
  readonly pending: Promise<V>
  /** Set once the load succeeded, so a hit costs no promise chaining. */
  loaded: boolean
  value: V | undefined
  readonly expiresAt: number
}

/**
 * A read-through cache with single flight: concurrent misses of one key share one load, and a
 * value is served from memory for `ttlMs`. Each caller waits with its own signal, so a caller that
 * gives up leaves the load running for the others; a failed load is not cached.
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, Entry<V>>()

  constructor(private readonly options: ReadThroughCacheOptions) {}

  /** The value of `key`, loading it with `load` on a miss. */
  get(key: string, load: (signal: AbortSignal) => Promise<V>, caller: SignalSource): Promise<V> {
    if (this.options.ttlMs === 0) {
      return load(caller.abortSignal)
    }
    const now = performance.now()
    const entry = this.entries.get(key)
    if (entry !== undefined && entry.expiresAt > now) {
      return entry.loaded ? Promise.resolve(entry.value as V) : waitFor(entry.pending, caller.abortSignal)
    }
    const fresh: Entry<V> = {
      pending: load(AbortSignal.timeout(this.options.loadTimeoutMs)),
      loaded: false,
      value: undefined,
      expiresAt: now + this.options.ttlMs,
    }
    this.entries.delete(key)
    this.entries.set(key, fresh)
    fresh.pending.then(
      (value) => {
        fresh.loaded = true
        fresh.value = value
      },
      () => {
        if (this.entries.get(key) === fresh) {
          this.entries.delete(key)
        }
      },
    )
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) {
        this.entries.delete(oldest)
      }
    }
    return waitFor(fresh.pending, caller.abortSignal)
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear()
  }
}

function waitFor<V>(value: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) {
    return Promise.reject(signal.reason as Error)
  }
  return new Promise<V>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    value.then(
      (result) => {
        signal.removeEventListener('abort', onAbort)
        resolve(result)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
