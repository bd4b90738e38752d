import { SharedReads } from './shared-reads.js'

/** Options of {@link KeptReads}. */
export interface KeptReadsOptions {
  /** How long a value is served without asking again, in ms; 0 asks every time. */
  readonly ttlMs: number
  /** How long a value may stand in for a failed read, in ms; 0 never. */
  readonly staleIfErrorMs: number
  /** Keys kept at most; the one read longest ago goes first. */
  readonly maxEntries: number
  /** The clock, in ms (tests move it by hand). */
  readonly now?: () => number
  /** Failures of a shared read that were only its first caller's (see {@link SharedReads}). */
  readonly isStartersOwn?: (error: unknown) => boolean
}

/** A value as served: from a read just made, from memory, or in place of a failed read. */
export interface Served<V> {
  readonly value: V
  /** True when the value stands in for a read that failed (stale-if-error). */
  readonly stale: boolean
  /** How long ago the value was read, in ms. */
  readonly ageMs: number
}

interface Kept<V> {
  readonly value: V
  readonly readAt: number
}

/**
 * Reads kept in memory: a value is served for `ttlMs` without asking again, identical reads in
 * flight are shared ({@link SharedReads}), and a value read within `staleIfErrorMs` is served,
 * marked stale, when a new read fails in a way `servesStale` accepts. A failed read never replaces
 * what is kept.
 */
export class KeptReads<V> {
  private readonly kept = new Map<string, Kept<V>>()
  private readonly shared: SharedReads<V>
  private readonly now: () => number
  private hitCount = 0
  private staleCount = 0
  private lastServedAt: number | undefined

  constructor(private readonly options: KeptReadsOptions) {
    this.now = options.now ?? (() => performance.now())
    this.shared = new SharedReads(options.isStartersOwn)
  }

  /** The kept value of `key` while it is fresh, without any promise; `undefined` otherwise. */
  fresh(key: string): Served<V> | undefined {
    if (this.options.ttlMs === 0) {
      return undefined
    }
    const kept = this.kept.get(key)
    if (kept === undefined) {
      return undefined
    }
    const now = this.now()
    const ageMs = now - kept.readAt
    if (ageMs >= this.options.ttlMs) {
      return undefined
    }
    this.hitCount++
    this.lastServedAt = kept.readAt
    return { value: kept.value, stale: false, ageMs }
  }

  /** True when a value of `key` was read within the stale-if-error window, to stand in for a failed read. */
  canStandIn(key: string): boolean {
    const kept = this.kept.get(key)
    return kept !== undefined && this.now() - kept.readAt <= this.options.staleIfErrorMs
  }

  /**
   * The value of `key`: kept and fresh, or read with `load` (shared with every caller reading the
   * same key meanwhile). When the read fails and `servesStale(error)` says the failure is the
   * downstream's, a value read within `staleIfErrorMs` is served instead, marked stale.
   */
  async get(key: string, load: (signal: AbortSignal) => Promise<V>, caller: AbortSignal, servesStale: (error: unknown) => boolean): Promise<Served<V>> {
    const hit = this.fresh(key)
    if (hit !== undefined) {
      return hit
    }
    try {
      const value = await this.shared.read(key, (signal) => this.readAndKeep(key, load, signal), caller)
      this.lastServedAt = this.now()
      return { value, stale: false, ageMs: 0 }
    } catch (error) {
      const kept = servesStale(error) ? this.kept.get(key) : undefined
      const ageMs = kept === undefined ? Infinity : this.now() - kept.readAt
      if (kept === undefined || ageMs > this.options.staleIfErrorMs) {
        throw error
      }
      this.staleCount++
      this.lastServedAt = kept.readAt
      return { value: kept.value, stale: true, ageMs }
    }
  }

  /** What this cache has done since it was made. */
  stats(): KeptReadsStats {
    return {
      hits: this.hitCount,
      misses: this.shared.started,
      coalesced: this.shared.joined,
      staleServed: this.staleCount,
      ageMs: this.lastServedAt === undefined ? null : Math.max(0, Math.round(this.now() - this.lastServedAt)),
      entries: this.kept.size,
    }
  }

  private async readAndKeep(key: string, load: (signal: AbortSignal) => Promise<V>, signal: AbortSignal): Promise<V> {
    const value = await load(signal)
    // Re-inserted, so the map's order is the order of reads and the first key is the oldest.
    this.kept.delete(key)
    this.kept.set(key, { value, readAt: this.now() })
    if (this.kept.size > this.options.maxEntries) {
      const oldest = this.kept.keys().next().value
      if (oldest !== undefined) {
        this.kept.delete(oldest)
      }
    }
    return value
  }
}

/** Counts of a {@link KeptReads}, for metrics and the dashboard. */
export interface KeptReadsStats {
  /** Served from memory without a read. */
  readonly hits: number
  /** Reads made (a miss whose read was already in flight is counted as coalesced instead). */
  readonly misses: number
  /** Callers that shared a read already in flight. */
  readonly coalesced: number
  /** Failed reads answered with an older value. */
  readonly staleServed: number
  /** How old the value served last is now, in ms (time since it was read); null before the first. */
  readonly ageMs: number | null
  /** Keys kept. */
  readonly entries: number
}
