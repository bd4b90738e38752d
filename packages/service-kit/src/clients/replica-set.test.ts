import { Pool } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { type OutlierDetection, ReplicaSet } from './replica-set.js'
import type { Replica } from './replica.js'

const DETECTION: OutlierDetection = { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 2500, maxEjectedPercent: 50 }
const [A, B, C, D] = ['http://127.0.0.2:8001', 'http://127.0.0.3:8001', 'http://127.0.0.4:8001', 'http://127.0.0.5:8001'] as const

let sets: ReplicaSet[] = []
let ejections = 0

/** A set over `origins`; the pools are real but never asked for a connection. */
function replicaSet(origins: readonly string[], detection: OutlierDetection = DETECTION): ReplicaSet {
  const set = new ReplicaSet(detection, (origin) => new Pool(origin), () => {
    ejections++
  })
  set.update(origins)
  sets.push(set)
  return set
}

/** The replica of `origin`, found by picking (each pick is settled at once). */
function replicaOf(set: ReplicaSet, origin: string): Replica {
  for (let tries = 0; tries < set.size * 2; tries++) {
    const replica = set.pick()!
    set.finished(replica)
    if (replica.origin === origin) {
      return replica
    }
  }
  throw new Error(`${origin} is not picked`)
}

/** Origins of `count` calls, each settled with success before the next. */
function origins(set: ReplicaSet, count: number, avoid?: Replica): string[] {
  return Array.from({ length: count }, () => {
    const replica = set.pick(avoid)!
    set.succeeded(replica)
    set.finished(replica)
    return replica.origin
  })
}

function failTimes(set: ReplicaSet, replica: Replica, times: number): void {
  for (let index = 0; index < times; index++) {
    set.failed(replica)
  }
}

function stateOf(set: ReplicaSet, origin: string): ReturnType<ReplicaSet['stats']>[number] {
  return set.stats().find((replica) => replica.origin === origin)!
}

beforeEach(() => {
  vi.useFakeTimers()
  ejections = 0
})

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(sets.map((set) => set.close()))
  sets = []
})

describe('ReplicaSet balancing', () => {
  it('takes idle replicas in turn', () => {
    const set = replicaSet([A, B, C])
    expect(origins(set, 6)).toEqual([A, B, C, A, B, C])
  })

  it('sends a call to the replica with the fewest calls in flight', () => {
    const set = replicaSet([A, B, C])
    const first = set.pick()!
    const second = set.pick()!
    expect([first.origin, second.origin]).toEqual([A, B])
    set.finished(second)
    // A holds one call: of B and C (none each), the turn goes on to C, then B, never A.
    expect([set.pick()!.origin, set.pick()!.origin]).toEqual([C, B])
    expect(stateOf(set, A).pending).toBe(1)
  })

  it('passes over the replica a retry failed on while another can take the call', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    expect(origins(set, 6, a)).not.toContain(A)
  })

  it('gives a lone replica every call, retries included', () => {
    const set = replicaSet([A])
    const a = replicaOf(set, A)
    expect(origins(set, 2, a)).toEqual([A, A])
  })
})

describe('ReplicaSet outlier detection', () => {
  it('ejects a replica after consecutiveFailures failures in a row, and a success in between starts the count again', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    failTimes(set, a, 2)
    set.succeeded(a)
    failTimes(set, a, 2)
    expect(stateOf(set, A)).toMatchObject({ state: 'healthy', consecutiveFailures: 2 })
    set.failed(a)
    expect(stateOf(set, A)).toMatchObject({ state: 'ejected', consecutiveFailures: 3, ejections: 1, ejectedForMs: 1000 })
    expect(ejections).toBe(1)
    expect(origins(set, 6)).not.toContain(A)
  })

  it('lets an ejected replica back after baseEjectionMs for one probe call, and a success returns it to rotation', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    failTimes(set, a, 3)
    vi.advanceTimersByTime(999)
    expect(origins(set, 4)).not.toContain(A)
    vi.advanceTimersByTime(1)
    expect(stateOf(set, A).state).toBe('probation')
    const probe = set.pick()!
    expect(probe).toBe(a)
    // While the probe runs, no other call goes there.
    expect(origins(set, 4)).not.toContain(A)
    set.succeeded(a)
    set.finished(a)
    expect(stateOf(set, A)).toMatchObject({ state: 'healthy', consecutiveFailures: 0 })
    expect(origins(set, 3).sort()).toEqual([A, B, C])
  })

  it('frees the probe slot of a probe the caller cut short', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    failTimes(set, a, 3)
    vi.advanceTimersByTime(1000)
    expect(set.pick()).toBe(a)
    set.abandoned(a)
    set.finished(a)
    expect(set.pick()).toBe(a)
  })

  it('ejects a replica whose probe fails for longer each time, up to maxEjectionMs', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    failTimes(set, a, 3)
    const lengths = [stateOf(set, A).ejectedForMs]
    for (let round = 0; round < 3; round++) {
      vi.advanceTimersByTime(stateOf(set, A).ejectedForMs)
      expect(set.pick()).toBe(a)
      set.failed(a)
      set.finished(a)
      lengths.push(stateOf(set, A).ejectedForMs)
    }
    expect(lengths).toEqual([1000, 2000, 2500, 2500])
    expect(ejections).toBe(4)
  })

  it('forgives one ejection for each baseEjectionMs a returned replica stays in rotation', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    const ejectAndReturn = (): number => {
      failTimes(set, a, 3)
      const length = stateOf(set, A).ejectedForMs
      vi.advanceTimersByTime(length)
      set.pick()
      set.succeeded(a)
      set.finished(a)
      return length
    }
    expect([ejectAndReturn(), ejectAndReturn()]).toEqual([1000, 2000])
    vi.advanceTimersByTime(1000)
    expect(ejectAndReturn()).toBe(2000)
    vi.advanceTimersByTime(5000)
    expect(ejectAndReturn()).toBe(1000)
  })

  it('never takes more than maxEjectedPercent of the replicas out: one of two, two of four, none of one', () => {
    const two = replicaSet([A, B])
    failTimes(two, replicaOf(two, A), 3)
    const b = replicaOf(two, B)
    failTimes(two, b, 10)
    expect(two.stats().map((replica) => replica.state)).toEqual(['ejected', 'healthy'])
    expect(origins(two, 3)).toEqual([B, B, B])

    const four = replicaSet([A, B, C, D])
    for (const origin of [A, B, C]) {
      failTimes(four, replicaOf(four, origin), 3)
    }
    expect(four.stats().map((replica) => replica.state)).toEqual(['ejected', 'ejected', 'healthy', 'healthy'])
    expect(four.outOfRotation).toBe(2)

    const one = replicaSet([A])
    failTimes(one, replicaOf(one, A), 10)
    expect(one.stats()[0]!.state).toBe('healthy')
  })

  it('sends a retry to an ejected replica when the only other one just failed', () => {
    const set = replicaSet([A, B])
    const a = replicaOf(set, A)
    const b = replicaOf(set, B)
    failTimes(set, a, 3)
    // A rolling restart: A is back but still ejected, and B, the only one in rotation, fails.
    set.failed(b)
    expect(set.pick(b)).toBe(a)
    expect(stateOf(set, A).state).toBe('probation')
    // Other retries from B meanwhile go to A as well, rather than back to B.
    expect(set.pick(b)).toBe(a)
    set.finished(a)
    set.succeeded(a)
    set.finished(a)
    expect(stateOf(set, A).state).toBe('healthy')
    expect(set.outOfRotation).toBe(0)
  })
})

describe('ReplicaSet: the downstream as a whole', () => {
  it('counts the downstream as failing only when no replica is known to answer', () => {
    const set = replicaSet([A, B])
    const a = replicaOf(set, A)
    const b = replicaOf(set, B)
    expect(set.failingAsAWhole()).toBe(false)
    set.failed(a)
    expect(set.failingAsAWhole()).toBe(false)
    set.failed(b)
    expect(set.failingAsAWhole()).toBe(true)
    set.succeeded(a)
    expect(set.failingAsAWhole()).toBe(false)
    failTimes(set, a, 3)
    expect(stateOf(set, A).state).toBe('ejected')
    expect(set.failingAsAWhole()).toBe(true)
  })

  it('counts a lone replica\'s every failure', () => {
    const set = replicaSet([A])
    set.failed(replicaOf(set, A))
    expect(set.failingAsAWhole()).toBe(true)
  })

  it('counts a set with no replica as failing', () => {
    expect(replicaSet([]).failingAsAWhole()).toBe(true)
  })
})

describe('ReplicaSet updates', () => {
  it('keeps the replicas that stay with their state, starts new ones healthy, and closes the pools of those that go', () => {
    const set = replicaSet([A, B, C])
    const a = replicaOf(set, A)
    const b = replicaOf(set, B)
    failTimes(set, a, 3)
    set.update([A, C, D])
    expect(set.stats().map((replica) => [replica.origin, replica.state])).toEqual([[A, 'ejected'], [C, 'healthy'], [D, 'healthy']])
    expect(replicaOf(set, C)).not.toBe(b)
    expect(b.pool.closed).toBe(true)
    expect(a.pool.closed).toBe(false)
  })

  it('takes an ejected replica back when the set shrinks below what its ejection needs', () => {
    const set = replicaSet([A, B])
    failTimes(set, replicaOf(set, A), 3)
    set.update([A])
    expect(set.stats()[0]!.state).toBe('healthy')
    expect(set.outOfRotation).toBe(0)
  })
})
