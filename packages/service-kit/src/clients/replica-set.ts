import type { Pool } from 'undici'

import { Replica, type ReplicaState } from './replica.js'

/** Outlier detection settings of an `UpstreamClient`, after defaults. */
export interface OutlierDetection {
  /** Failed calls in a row that eject a replica. */
  readonly consecutiveFailures: number
  /** The first ejection, in ms; the nth in a row lasts n times as long. */
  readonly baseEjectionMs: number
  /** The longest ejection, in ms. */
  readonly maxEjectionMs: number
  /** The most replicas out of rotation at once, in percent of them, rounded down. */
  readonly maxEjectedPercent: number
}

/** One replica as `/ops` shows it. */
export interface ReplicaStats {
  /** Where it is, e.g. `http://10.0.3.7:8001`. */
  readonly origin: string
  readonly state: ReplicaState
  /** Attempts in flight to it. */
  readonly pending: number
  /** Calls in a row that failed. */
  readonly consecutiveFailures: number
  /** Ejections in a row: the next ejection lasts this many times `baseEjectionMs` more. */
  readonly ejections: number
  /** What is left of its ejection, in ms; 0 unless ejected. */
  readonly ejectedForMs: number
}

/** Monotonic ms, read through `globalThis` at each call so that fake timers control it. */
function now(): number {
  return globalThis.performance.now()
}

function ignore(): void {}

/**
 * The replicas of one downstream: which one takes the next attempt, and outlier detection.
 *
 * Balancing is least-pending: the healthy replica with the fewest attempts in flight, ties broken
 * in turn (so an idle system sees plain round-robin). Round-robin is Envoy's default and KrakenD's;
 * Envoy's LEAST_REQUEST (the default of Envoy Gateway) is meant for requests that differ in cost,
 * and that is our case: a replica that slows down (a GC pause, a noisy neighbour, a process that is
 * shutting down) keeps its calls in flight and so gets fewer new ones at once, where round-robin
 * keeps sending it its full share. Envoy samples two hosts (power of two choices) to stay O(1) on
 * large clusters; with the handful of replicas a service has, looking at all of them costs less than
 * drawing random numbers, and is exact.
 *
 * Outlier detection is passive, as Envoy's `consecutive_5xx`: a replica whose last
 * `consecutiveFailures` calls failed is ejected for `baseEjectionMs` times its ejections in a row
 * (at most `maxEjectionMs`), then put on probation: the next call goes to it alone, and its answer
 * brings it back or ejects it again for longer. Never more than `maxEjectedPercent` of the replicas
 * are out at once (so one replica of one is never ejected, and one of two may be), so traffic
 * always has somewhere to go. Nothing here allocates on a call; the clock is read only while some
 * replica is out.
 */
export class ReplicaSet {
  #replicas: Replica[] = []
  /** Replicas ejected or on probation. */
  #out = 0
  /** The earliest end of an ejection, or Infinity. */
  #nextRelease = Number.POSITIVE_INFINITY
  /** Where the next search starts, so that ties go round in turn. */
  #cursor = 0
  readonly #detection: OutlierDetection
  readonly #open: (origin: string, servername: string | undefined) => Pool
  readonly #onEjected: () => void

  /**
   * `open` makes the pool of a new origin (with the TLS server name to present, for an origin
   * resolved from a host name); `onEjected` hears each ejection (the client re-resolves its host
   * names then, in case the replica is gone for good).
   */
  constructor(detection: OutlierDetection, open: (origin: string, servername: string | undefined) => Pool, onEjected: () => void = ignore) {
    this.#detection = detection
    this.#open = open
    this.#onEjected = onEjected
  }

  /** How many replicas there are. */
  get size(): number {
    return this.#replicas.length
  }

  /**
   * The replica for the next attempt, counted as pending until {@link finished}: a replica on
   * probation whose probe is not running yet, else the healthy one with the fewest attempts in
   * flight. `avoid` (the replica a retry's previous attempt failed on) is passed over while another
   * can take the call; when the only others are out of rotation, the one whose ejection ends first
   * takes it, since it may well be back (a rolling restart) while `avoid` just failed. Undefined
   * only when there is no replica at all.
   */
  pick(avoid?: Replica): Replica | undefined {
    const replicas = this.#replicas
    const n = replicas.length
    if (this.#out > 0) {
      const time = now()
      if (time >= this.#nextRelease) {
        this.#release(time)
      }
    }
    let start = this.#cursor
    if (start >= n) {
      start = 0
    }
    this.#cursor = start + 1
    let best: Replica | undefined
    for (let step = 0; step < n; step++) {
      const index = start + step < n ? start + step : start + step - n
      const replica = replicas[index]!
      if (replica === avoid) {
        continue
      }
      if (replica.state === 'healthy') {
        if (best === undefined || replica.pending < best.pending) {
          best = replica
        }
      } else if (replica.state === 'probation' && !replica.probing) {
        replica.probing = true
        best = replica
        break
      }
    }
    best ??= this.#fallback(avoid)
    if (best !== undefined) {
      best.pending++
    }
    return best
  }

  /** The attempt sent to `replica` has settled, whatever its verdict. */
  finished(replica: Replica): void {
    replica.pending--
  }

  /** `replica` answered (a 2xx, or a 4xx: it is up and judging requests). */
  succeeded(replica: Replica): void {
    replica.failures = 0
    if (replica.state === 'probation') {
      replica.state = 'healthy'
      replica.probing = false
      replica.returnedAt = now()
      this.#out--
    }
  }

  /** `replica` failed a call: a broken connection, a 5xx, a bad body, or a miss of the downstream's own budget. */
  failed(replica: Replica): void {
    replica.failures++
    if (replica.state === 'probation') {
      this.#eject(replica)
    } else if (replica.state === 'healthy' && replica.failures >= this.#detection.consecutiveFailures && this.#out < this.#maxOut()) {
      this.#eject(replica)
    }
  }

  /** The call on `replica` ended with no verdict (the caller's abort or deadline): a probe slot is free again. */
  abandoned(replica: Replica): void {
    replica.probing = false
  }

  /**
   * True when no replica is known to answer: every one is out of rotation or failed its last call.
   * The breaker counts a failure only then, so one replica dying never opens it for the others.
   */
  failingAsAWhole(): boolean {
    for (const replica of this.#replicas) {
      if (replica.good) {
        return false
      }
    }
    return true
  }

  /**
   * Makes the set `origins`: replicas that stay keep their pool and state, new ones start healthy,
   * and the pools of those that go are closed once their calls in flight finish. `servernames`
   * gives the TLS server name of origins resolved from a host name.
   */
  update(origins: readonly string[], servernames?: ReadonlyMap<string, string>): void {
    const before = new Map(this.#replicas.map((replica) => [replica.origin, replica]))
    const next: Replica[] = []
    for (const origin of new Set(origins)) {
      const kept = before.get(origin)
      before.delete(origin)
      next.push(kept ?? new Replica(origin, this.#open(origin, servernames?.get(origin))))
    }
    for (const gone of before.values()) {
      void gone.pool.close().catch(ignore)
    }
    this.#replicas = next
    this.#recount()
  }

  /** Each replica's state, for operators. */
  stats(): ReplicaStats[] {
    const time = this.#out > 0 ? now() : 0
    return this.#replicas.map((replica) => ({
      origin: replica.origin,
      state: replica.state === 'ejected' && time >= replica.ejectedUntil ? 'probation' : replica.state,
      pending: replica.pending,
      consecutiveFailures: replica.failures,
      ejections: replica.ejections,
      ejectedForMs: replica.state === 'ejected' ? Math.max(0, replica.ejectedUntil - time) : 0,
    }))
  }

  /** How many replicas are out of rotation (ejected or on probation). */
  get outOfRotation(): number {
    return this.#out
  }

  /** Closes every pool once its calls in flight finish. */
  async close(): Promise<void> {
    const replicas = this.#replicas
    this.#replicas = []
    this.#recount()
    await Promise.all(replicas.map((replica) => replica.pool.close()))
  }

  #maxOut(): number {
    return Math.floor((this.#replicas.length * this.#detection.maxEjectedPercent) / 100)
  }

  #eject(replica: Replica): void {
    const time = now()
    const { baseEjectionMs, maxEjectionMs } = this.#detection
    if (replica.state === 'healthy') {
      this.#out++
      // A replica that stayed in rotation since its last ejection is forgiven one ejection per
      // base ejection time, so one that failed once long ago starts short again.
      replica.ejections = Math.max(0, replica.ejections - Math.floor((time - replica.returnedAt) / baseEjectionMs))
    }
    replica.ejections++
    replica.state = 'ejected'
    replica.probing = false
    replica.ejectedUntil = time + Math.min(baseEjectionMs * replica.ejections, maxEjectionMs)
    this.#nextRelease = Math.min(this.#nextRelease, replica.ejectedUntil)
    this.#onEjected()
  }

  /** Puts every replica whose ejection is over on probation. */
  #release(time: number): void {
    let next = Number.POSITIVE_INFINITY
    for (const replica of this.#replicas) {
      if (replica.state !== 'ejected') {
        continue
      }
      if (time >= replica.ejectedUntil) {
        replica.state = 'probation'
        replica.probing = false
      } else {
        next = Math.min(next, replica.ejectedUntil)
      }
    }
    this.#nextRelease = next
  }

  /**
   * When no healthy replica but `avoid` can take the call: the replica out of rotation whose
   * ejection ends first, even while another call probes it (an ejected one goes on probation with
   * this call as its probe), since the alternative is the replica that just failed; else `avoid`.
   */
  #fallback(avoid: Replica | undefined): Replica | undefined {
    let soonest: Replica | undefined
    for (const replica of this.#replicas) {
      if (replica !== avoid && replica.state !== 'healthy' && (soonest === undefined || replica.ejectedUntil < soonest.ejectedUntil)) {
        soonest = replica
      }
    }
    if (soonest !== undefined) {
      // Out of rotation either way, so the count of replicas out stays as it is.
      soonest.state = 'probation'
      soonest.probing = true
      return soonest
    }
    return avoid !== undefined && this.#replicas.includes(avoid) ? avoid : undefined
  }

  /**
   * Counts the replicas out of rotation again after the set changed. A set that shrank below what
   * its ejected replicas need (two replicas, one ejected, and the other gone) takes back those due
   * soonest, so traffic always has somewhere to go.
   */
  #recount(): void {
    const out = this.#replicas.filter((replica) => replica.state !== 'healthy').sort((a, b) => a.ejectedUntil - b.ejectedUntil)
    const excess = out.length - this.#maxOut()
    for (let index = 0; index < excess; index++) {
      const replica = out[index]!
      replica.state = 'healthy'
      replica.probing = false
      replica.returnedAt = now()
    }
    this.#out = Math.max(0, Math.min(out.length, this.#maxOut()))
    let next = Number.POSITIVE_INFINITY
    for (const replica of this.#replicas) {
      if (replica.state === 'ejected') {
        next = Math.min(next, replica.ejectedUntil)
      }
    }
    this.#nextRelease = next
  }
}
